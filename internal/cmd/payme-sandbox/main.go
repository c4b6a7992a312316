// Command payme-sandbox serves the in-memory Pay-me auth sandbox
// (internal/sandbox) on a loopback address, for demos and for trying a
// Terraform configuration without real credentials.
//
//	go run ./internal/cmd/payme-sandbox [-listen 127.0.0.1:0] [-config file.json]
//	    [-ttl 1d] [-revoke-unknown succeed|reject] [-rotate-refresh-tokens]
//	    [-url-file path]
//	go run ./internal/cmd/payme-sandbox -journal http://127.0.0.1:PORT
//	go run ./internal/cmd/payme-sandbox -rotate-client-secret http://127.0.0.1:PORT
//	    -new-client-secret S [-client-id demo-client] [-overlap 1h]
//	go run ./internal/cmd/payme-sandbox -live-refresh-tokens http://127.0.0.1:PORT
//	go run ./internal/cmd/payme-sandbox -revoke-refresh-token http://127.0.0.1:PORT -fingerprint sha256:...
//
// It prints the base URL, the credentials and the environment variables to
// export, logs one line per request (never a secret), and stops on SIGINT
// or SIGTERM.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/duration"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "payme-sandbox:", err)
		os.Exit(1)
	}
}

type options struct {
	listen        string
	configPath    string
	ttl           time.Duration
	revokeUnknown string
	rotate        bool
	urlFile       string
	journalOf     string
	control       controlOptions
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("payme-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free port)")
	fs.StringVar(&o.configPath, "config", "", "JSON `file` with clients, users and options (default: the demo set)")
	fs.Func("ttl", "access token lifetime such as 1h or 1d, overriding the config (default 24h)", func(v string) (err error) {
		o.ttl, err = duration.Parse(v)
		return err
	})
	fs.StringVar(&o.revokeUnknown, "revoke-unknown", "", "answer for revoking an unknown token: succeed or reject (default: config, else succeed)")
	fs.BoolVar(&o.rotate, "rotate-refresh-tokens", false, "refresh grants with offline_access return a new refresh token and retire the old")
	fs.StringVar(&o.urlFile, "url-file", "", "write the base URL to this `file` once listening (removed on exit)")
	fs.StringVar(&o.journalOf, "journal", "", "print the request journal of the sandbox running at this base `URL`, then exit")
	fs.StringVar(&o.control.rotateAt, "rotate-client-secret", "", "give a client of the sandbox running at this base `URL` a new secret (with -new-client-secret, -client-id, -overlap), then exit")
	fs.StringVar(&o.control.newSecret, "new-client-secret", "", "the new `secret` for -rotate-client-secret")
	fs.StringVar(&o.control.clientID, "client-id", sandbox.DemoClientID, "the `client` whose secret -rotate-client-secret rotates")
	fs.Func("overlap", "how long -rotate-client-secret keeps the old secret accepted, such as 1h (default 0s: refused at once)", func(v string) (err error) {
		o.control.overlap, err = duration.Parse(v)
		return err
	})
	fs.StringVar(&o.control.tokensAt, "live-refresh-tokens", "", "list the live refresh tokens, by fingerprint, of the sandbox running at this base `URL`, then exit")
	fs.StringVar(&o.control.revokeAt, "revoke-refresh-token", "", "revoke one refresh token (with -fingerprint) in the sandbox running at this base `URL`, as if outside Terraform, then exit")
	fs.StringVar(&o.control.fingerprint, "fingerprint", "", "the `id` of the payme_refresh_token that -revoke-refresh-token revokes (sha256:...)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.control.overlap < 0 {
		return o, errors.New("-overlap must not be negative")
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.ttl < 0 {
		return o, errors.New("-ttl must not be negative")
	}
	switch sandbox.RevokeUnknownPolicy(o.revokeUnknown) {
	case "", sandbox.RevokeUnknownSucceed, sandbox.RevokeUnknownReject:
	default:
		return o, fmt.Errorf("-revoke-unknown must be %q or %q", sandbox.RevokeUnknownSucceed, sandbox.RevokeUnknownReject)
	}
	return o, checkLoopback(o.listen)
}

// checkLoopback refuses addresses reachable from other machines: the
// sandbox hands out tokens to anyone and exposes its control endpoints
// without authentication.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-listen %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-listen %q: refusing a non-loopback address; use 127.0.0.1, [::1] or localhost", addr)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if o.journalOf != "" {
		return printJournal(ctx, strings.TrimSuffix(o.journalOf, "/"), stdout)
	}
	if done, err := runControl(ctx, o.control, stdout); done {
		return err
	}
	cfg := sandbox.DefaultConfig()
	demo := o.configPath == ""
	if !demo {
		if cfg, err = sandbox.LoadConfig(o.configPath); err != nil {
			return err
		}
	}
	if o.ttl > 0 {
		cfg.AccessTokenTTL = o.ttl
	}
	if o.revokeUnknown != "" {
		cfg.RevokeUnknown = sandbox.RevokeUnknownPolicy(o.revokeUnknown)
	}
	if o.rotate {
		cfg.RotateRefreshTokens = true
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", o.listen)
	if err != nil {
		return err
	}
	// "localhost" passed the flag check by name; make sure it really bound
	// to loopback.
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		_ = ln.Close()
		return fmt.Errorf("-listen %q bound to %s, which is not loopback", o.listen, ln.Addr())
	}
	baseURL := "http://" + ln.Addr().String()

	logger := log.New(stderr, "payme-sandbox: ", log.LstdFlags)
	srv := &http.Server{
		Handler:           logRequests(sandbox.New(cfg), logger),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          logger,
	}
	printBanner(stdout, baseURL, cfg, demo)
	if o.urlFile != "" {
		if err := writeFileAtomic(o.urlFile, baseURL+"\n"); err != nil {
			_ = ln.Close()
			return err
		}
		// A stale file would send a script to a port nobody listens on.
		defer os.Remove(o.urlFile)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Print("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func printBanner(w io.Writer, baseURL string, cfg sandbox.Config, demo bool) {
	fmt.Fprintf(w, "Pay-me auth sandbox listening on %s (PID %d; stop it with Ctrl-C or kill %d)\n", baseURL, os.Getpid(), os.Getpid())
	fmt.Fprintf(w, "  POST %s/token   POST %s/revoke   control: %s/_sandbox/{requests,stats,faults,reset,client-secret,tokens,revoke}\n\n", baseURL, baseURL, baseURL)
	if demo {
		// Public demo values, meaningful only to this sandbox.
		c := cfg.Clients[0]
		fmt.Fprintf(w, "Demo credentials (public, sandbox only):\n")
		fmt.Fprintf(w, "  client_id      %s\n  client_secret  %s\n  scopes         %s\n", c.ID, c.Secret, strings.Join(c.Scopes, " "))
		for _, u := range cfg.Users {
			fmt.Fprintf(w, "  user           %s / %s\n", u.Username, u.Password)
		}
	} else {
		// Secrets from a user's file are not echoed: the file may hold
		// values the user also uses elsewhere.
		fmt.Fprintf(w, "Clients from the config file (secrets not shown):\n")
		for _, c := range cfg.Clients {
			fmt.Fprintf(w, "  %s  scopes: %s\n", c.ID, strings.Join(c.Scopes, " "))
		}
	}
	if len(cfg.Audiences) > 0 {
		fmt.Fprintf(w, "  audiences      %s\n", strings.Join(cfg.Audiences, ", "))
	} else {
		fmt.Fprintf(w, "  audiences      any\n")
	}
	fmt.Fprintf(w, "\nExport for the provider:\n  export PAYME_AUTH_URL=%s\n", baseURL)
	if demo {
		c := cfg.Clients[0]
		fmt.Fprintf(w, "  export PAYME_CLIENT_ID=%s\n  export PAYME_CLIENT_SECRET=%s\n", c.ID, c.Secret)
	} else {
		fmt.Fprintf(w, "  export PAYME_CLIENT_ID=%s\n  export PAYME_CLIENT_SECRET=<from your config file>\n", cfg.Clients[0].ID)
	}
	fmt.Fprintln(w)
}

// writeFileAtomic writes through a temporary file and a rename, so a
// script polling for the file never reads half a URL.
func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".payme-sandbox-url-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.WriteString(content); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// logRequests logs method, path, grant_type and status of each request;
// status 0 means nothing was answered, and the line says why.
// Only grant_type is taken from the body, so no secret can reach the log.
func logRequests(next http.Handler, logger *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		grant := peekGrant(r)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			status := fmt.Sprint(rec.status)
			switch {
			case rec.status != 0:
			case r.Context().Err() != nil:
				status += " (no answer: the client gave up first, e.g. during injected latency)"
			default:
				status += " (no answer: an injected fault dropped the connection)"
			}
			if grant != "" {
				logger.Printf("%s %s grant=%q -> %s", r.Method, r.URL.Path, grant, status)
			} else {
				logger.Printf("%s %s -> %s", r.Method, r.URL.Path, status)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// peekGrant reads grant_type from the body and puts the body back for the
// sandbox, which enforces the real size limit itself.
func peekGrant(r *http.Request) string {
	if r.Body == nil || r.Method != http.MethodPost {
		return ""
	}
	const limit = 64<<10 + 1
	buf, _ := io.ReadAll(io.LimitReader(r.Body, limit))
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
	var v struct {
		GrantType any `json:"grant_type"`
	}
	if json.Unmarshal(buf, &v) != nil {
		return ""
	}
	g, _ := v.GrantType.(string)
	if len(g) > 40 {
		g = g[:40] + "…"
	}
	return g
}

// statusRecorder remembers the status for the log line; Unwrap lets the
// sandbox still hijack the connection to simulate a drop.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
