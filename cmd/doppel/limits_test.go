package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSlowClientsCannotHoldTheServer: a client that never finishes its
// headers is cut off after --read-header-timeout, and others are served
// meanwhile.
func TestSlowClientsCannotHoldTheServer(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	start(t, doppel(context.Background(), "serve", "--addr", addr, "--read-header-timeout", "300ms"), "http://"+addr+"/__doppel/health")

	var slow []net.Conn
	for range 20 {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = conn.Write([]byte("GET /__doppel/health HTTP/1.1\r\nHost: x\r\nX-Slow: "))
		require.NoError(t, err)
		slow = append(slow, conn)
	}
	resp, err := http.Get("http://" + addr + "/__doppel/health")
	require.NoError(t, err, "served while 20 clients dawdle")
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	for _, conn := range slow { // each is answered (408) or closed, not held
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.ReadAll(conn)
		assert.NoError(t, err, "the server closed the connection")
	}
}

// TestShutdownFinishesRequestsAndKeepsTheirWrites: a sign-up in flight when
// SIGTERM arrives is answered, and — with --state-file — is still there
// after a restart.
func TestShutdownFinishesRequestsAndKeepsTheirWrites(t *testing.T) {
	t.Parallel()
	addr, file := freeAddr(t), filepath.Join(t.TempDir(), "state.json")
	base := "http://" + addr
	cmd := doppel(context.Background(), "serve", "--addr", addr, "--state-file", file, "--seed", "1")
	start(t, cmd, base+"/__doppel/health")

	anon := anonymousToken(t, base)
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", base+"/customer/demo/signup", strings.NewReader(`{"email":"late@example.com","password":"s3cret!"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+anon)
		req.Header.Set("X-Doppel-Fault", "latency=1s") // still in flight when the signal comes
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, http.StatusCreated, <-answered, "the request in flight was answered")
	require.NoError(t, cmd.Wait(), "a clean exit")

	again := doppel(context.Background(), "serve", "--addr", addr, "--state-file", file)
	start(t, again, base+"/__doppel/health")
	req, _ := http.NewRequest("POST", base+"/customer/demo/login", strings.NewReader(`{"email":"late@example.com","password":"s3cret!"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+anonymousToken(t, base))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the sign-up answered during shutdown survived the restart")
}

func anonymousToken(t *testing.T, base string) string {
	resp, err := http.Get(base + "/customerlogin/auth/anonymous/login?tenant=demo&client_id=test")
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(bufio.NewReader(resp.Body)).Decode(&tok))
	return tok.AccessToken
}

// TestOversizedBodiesAreRefusedInEachDialect: --body-limit applies to every
// face, with a 413 in its own error shape.
func TestOversizedBodiesAreRefusedInEachDialect(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	start(t, doppel(context.Background(), "serve", "--addr", addr, "--body-limit", "1024"), "http://"+addr+"/__doppel/health")
	big := `{"email":"` + strings.Repeat("x", 2048) + `"}`
	for path, want := range map[string]string{
		"/customer/demo/signup":                        `"type":"payload_too_large"`,
		"/api/DEFAULT/customer/password/reset/request": `"code":413`,
		"/customers/login":                             `"error":"payload_too_large"`,
	} {
		resp, err := http.Post("http://"+addr+path, "application/json", strings.NewReader(big))
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode, path)
		assert.Contains(t, string(body), want, path)
	}
}
