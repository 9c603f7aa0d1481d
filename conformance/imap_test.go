package conformance_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/doppel-dev/doppel/conformance"
)

// dovecot starts a Dovecot IMAP server on a loopback port for the test,
// any user logging in with the password "secret", and returns its address.
func dovecot(t *testing.T) string {
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		t.Skip("needs Dovecot: apt-get install dovecot-imapd (.ci/run installs it)")
	}
	if os.Geteuid() != 0 {
		t.Skip("Dovecot's master process runs as root here")
	}
	nobody, err := user.Lookup("nobody")
	require.NoError(t, err)
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // the mail user must get to its mail
		require.NoError(t, os.Chmod(d, 0o755))
	}
	mail := filepath.Join(dir, "mail")
	require.NoError(t, os.Mkdir(mail, 0o755))
	require.NoError(t, os.Chown(mail, uid, gid))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	ln.Close()
	conf := filepath.Join(dir, "dovecot.conf")
	require.NoError(t, os.WriteFile(conf, []byte(fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:%[2]s/%%u
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=%[3]d gid=%[4]d home=%[2]s/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[5]s
  }
  inet_listener imaps {
    port = 0
  }
}
`, dir, mail, uid, gid, port)), 0o644))
	cmd := exec.Command(bin, "-F", "-c", conf)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Logf("dovecot:\n%s%s", out, log)
		}
	})
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("dovecot did not listen on %s: %s", addr, out)
	return ""
}

// appendMail stores messages in a user's INBOX, oldest first.
func appendMail(t *testing.T, addr, username string, msgs ...string) {
	c, err := imapclient.DialInsecure(addr, nil)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.Login(username, "secret").Wait())
	for _, m := range msgs {
		m = strings.ReplaceAll(m, "\n", "\r\n")
		cmd := c.Append("INBOX", int64(len(m)), nil)
		_, err := cmd.Write([]byte(m))
		require.NoError(t, err)
		require.NoError(t, cmd.Close())
		_, err = cmd.Wait()
		require.NoError(t, err)
	}
}

// TestIMAPMailbox reads doppel's mail and another sender's from a real
// IMAP server, as the Mailpit adapter does.
func TestIMAPMailbox(t *testing.T) {
	t.Parallel()
	addr := dovecot(t)
	appendMail(t, addr, "qa",
		"To: Ann <Ann@Example.com>\nSubject: Reset\nX-Doppel-Kind: password_reset\nX-Doppel-Api: emporix\nX-Doppel-Tenant: acme\nX-Doppel-Token: tok1\nX-Doppel-Link: https://x/?token=tok1\n\nReset.\n",
		"To: ann@example.com\nSubject: Reset\nX-Doppel-Kind: password_reset\nX-Doppel-Api: emporix\nX-Doppel-Tenant: other\nX-Doppel-Token: tok0\n\nReset.\n",
		"To: ann@example.com.evil\nSubject: Reset your password\n\nYour code: EV1L\n",
		"To: ann@example.com\nSubject: =?utf-8?q?Reset_your_password?=\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=b\n\n"+
			"--b\nContent-Type: text/html\n\n<p>code: NOPE</p>\n--b\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"+
			"Your code: XY12 =\n(valid 1 h)\n--b--\n",
	)
	mb := conformance.IMAPMailbox{Address: addr, Username: "qa", Password: "secret", Kinds: map[string]conformance.MailKind{
		"password_reset": {Subject: "^Reset your password$", Token: `code: ([A-Z0-9]+)`},
	}}
	got, err := mb.Messages(context.Background(), conformance.MailFilter{API: "emporix", Tenant: "acme", To: "ann@example.com", Kind: "password_reset"})
	require.NoError(t, err)
	require.Len(t, got, 2, "doppel's mail of this API and tenant, and the foreign mail its kind's patterns recognise; not other recipients or tenants")
	assert.Equal(t, "tok1", got[0].Token, "oldest first")
	assert.Equal(t, "https://x/?token=tok1", got[0].Link)
	assert.Equal(t, "XY12", got[1].Token, "from the text part, quoted-printable undone")

	got, err = mb.Messages(context.Background(), conformance.MailFilter{To: "nobody@example.com", Kind: "password_reset"})
	require.NoError(t, err)
	assert.Empty(t, got)

	mb.Password = "wrong"
	_, err = mb.Messages(context.Background(), conformance.MailFilter{To: "ann@example.com"})
	assert.ErrorContains(t, err, "imap: login as qa")
}

func TestIMAPTargetFile(t *testing.T) {
	t.Parallel()
	tf, secrets, err := conformance.LoadTargetFile(write(t, "t.yaml", "mailbox: {adapter: imap, url: 'imaps://mail.example.com', username: qa, password: '${IMAP_PASSWORD}'}\n"+
		"apis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n"), nil, env(map[string]string{"IMAP_PASSWORD": "s3cret-imap"}))
	require.NoError(t, err)
	assert.Equal(t, []string{"s3cret-imap"}, secrets)
	assert.Equal(t, conformance.IMAPMailbox{Address: "mail.example.com:993", TLS: true, Username: "qa", Password: "s3cret-imap"}, tf.Target(secrets).Mailbox)
	_, _, err = conformance.LoadTargetFile(write(t, "t.yaml", "mailbox: {adapter: imap, url: 'http://x'}\napis:\n  emporix: {baseURL: http://x, tenant: a, clientId: b}\n"), nil, env(nil))
	assert.ErrorContains(t, err, "the imap adapter needs imap://host:port")
	assert.ErrorContains(t, err, "needs username and password")
}
