package devoverride

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// Options say what Start sets up; the zero value is a CLI configuration
// for the provider built once per process, without a sandbox.
type Options struct {
	// Plugins is a folder holding a built provider; "" uses Provider.
	Plugins string
	// Sandbox, when set, is served on a loopback port, and the
	// environment points the provider at it with the demo credentials.
	Sandbox *sandbox.Server
	// Wrap, when set, wraps the sandbox's handler (to record or delay).
	Wrap func(http.Handler) http.Handler
	// Sources are the overridden addresses; nil means Sources.
	Sources []string
}

// Env is one local environment. Close stops its sandbox.
type Env struct {
	Dir     string // holds the CLI configuration; usable as a working directory
	Plugins string // the folder holding the provider binary
	URL     string // the sandbox's base URL; "" without a sandbox
	Sandbox *sandbox.Server
	vars    []string
	srv     *http.Server
}

// Start builds what o asks for and writes the CLI configuration in dir.
func Start(ctx context.Context, dir string, o Options) (*Env, error) {
	e := &Env{Dir: dir, Plugins: o.Plugins, Sandbox: o.Sandbox}
	if e.Plugins == "" {
		var err error
		if e.Plugins, err = Provider(ctx); err != nil {
			return nil, err
		}
	}
	rc := filepath.Join(dir, "cli.tfrc")
	if err := WriteCLIConfig(rc, e.Plugins, o.Sources...); err != nil {
		return nil, err
	}
	// The machine's own CLI configuration (TF_CLI_CONFIG_FILE or
	// ~/.terraformrc) is replaced, and nothing phones home.
	e.vars = []string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	if o.Sandbox == nil {
		return e, nil
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var h http.Handler = o.Sandbox
	if o.Wrap != nil {
		h = o.Wrap(h)
	}
	e.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.srv.Serve(ln) }()
	e.URL = "http://" + ln.Addr().String()
	e.vars = append(e.vars,
		"PAYME_AUTH_URL="+e.URL,
		"PAYME_CLIENT_ID="+sandbox.DemoClientID,
		"PAYME_CLIENT_SECRET="+sandbox.DemoClientSecret,
		"TF_VAR_password="+sandbox.DemoPassword)
	return e, nil
}

// Vars are the variables the environment sets, as KEY=VALUE.
func (e *Env) Vars() []string { return slices.Clone(e.vars) }

// Environ is this process's environment with Vars in place of any value
// it had for the same names, then extra.
func (e *Env) Environ(extra ...string) []string {
	set := map[string]bool{}
	for _, kv := range e.vars {
		k, _, _ := strings.Cut(kv, "=")
		set[k] = true
	}
	out := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return set[k]
	})
	return append(append(out, e.vars...), extra...)
}

// Close stops the sandbox, cutting any request still open.
func (e *Env) Close() error {
	if e.srv == nil {
		return nil
	}
	if err := e.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
