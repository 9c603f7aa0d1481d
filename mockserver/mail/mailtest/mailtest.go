// Package mailtest provides an SMTP server for tests.
package mailtest

import (
	"bufio"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Server is a minimal SMTP server on 127.0.0.1, closed when the test ends:
// it sends the envelope and data lines
// of every message it receives on the channel.
func Server(t testing.TB) (addr string, got <-chan []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	messages := make(chan []string, 16)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go session(conn, messages)
		}
	}()
	return ln.Addr().String(), messages
}

func session(conn net.Conn, messages chan<- []string) {
	defer conn.Close()
	r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
	say := func(s string) { _, _ = w.WriteString(s + "\r\n"); _ = w.Flush() }
	var lines []string
	say("220 test ESMTP")
	for data := false; ; {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case data && line == ".":
			data = false
			say("250 queued")
		case data:
			lines = append(lines, line)
		case strings.HasPrefix(line, "EHLO"), strings.HasPrefix(line, "HELO"):
			say("250 test")
		case strings.HasPrefix(line, "MAIL FROM"), strings.HasPrefix(line, "RCPT TO"):
			lines = append(lines, line)
			say("250 ok")
		case line == "DATA":
			data = true
			say("354 go on")
		case line == "QUIT":
			say("221 bye")
			messages <- lines
			return
		}
	}
}
