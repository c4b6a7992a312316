package sandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestDefaultConfig pins the documented demo set: the package doc, the
// command's banner and the demo scripts rely on these exact values.
func TestDefaultConfig(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	want := Config{
		Clients: []Client{{ID: "demo-client", Secret: "demo-secret", Scopes: []string{"create:token", "post:charges", "get:charges", "delete:charges", "offline_access"}}},
		Users:   []User{{ClientID: "demo-client", Username: "merchant@example.com", Password: "demo-password"}},
		Audiences: []string{
			"https://api.alignet.io", "https://api.preprod.alignet.io/",
			"https://api.preprod.alignet.io", "https://api.dev.alignet.io",
		},
		AccessTokenTTL: 24 * time.Hour,
		RevokeUnknown:  RevokeUnknownSucceed,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("DefaultConfig() = %+v", cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Error(err)
	}
	// Fresh slices every call: callers may append to them.
	cfg.Clients[0].Scopes[0] = "changed"
	if DefaultConfig().Clients[0].Scopes[0] != "create:token" {
		t.Error("DefaultConfig shares slices between calls")
	}
}

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{
		"clients": [{"client_id": "c1", "client_secret": "s1", "scopes": ["create:token", "offline_access"]}],
		"users": [{"client_id": "c1", "username": "u1", "password": "p1"}],
		"audiences": ["https://api.dev.alignet.io"],
		"access_token_ttl": "90m",
		"revoke_unknown": "reject",
		"rotate_refresh_tokens": true
	}`)
	cfg, err := LoadConfig(good)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Clients:             []Client{{ID: "c1", Secret: "s1", Scopes: []string{"create:token", "offline_access"}}},
		Users:               []User{{ClientID: "c1", Username: "u1", Password: "p1"}},
		Audiences:           []string{"https://api.dev.alignet.io"},
		AccessTokenTTL:      90 * time.Minute,
		RevokeUnknown:       RevokeUnknownReject,
		RotateRefreshTokens: true,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("LoadConfig = %+v", cfg)
	}

	bad := map[string]string{
		"unknown key":        `{"clients":[{"client_id":"c","client_secret":"s"}],"revoke":"reject"}`,
		"unknown client key": `{"clients":[{"client_id":"c","client_secret":"s","secret":"x"}]}`,
		"bad duration":       `{"clients":[{"client_id":"c","client_secret":"s"}],"access_token_ttl":"a day"}`,
		"number duration":    `{"clients":[{"client_id":"c","client_secret":"s"}],"access_token_ttl":86400}`,
		"no clients":         `{}`,
		"bad policy":         `{"clients":[{"client_id":"c","client_secret":"s"}],"revoke_unknown":"ignore"}`,
		"not JSON":           `clients: []`,
	}
	for name, body := range bad {
		if _, err := LoadConfig(write(strings.ReplaceAll(name, " ", "_")+".json", body)); err == nil {
			t.Errorf("%s: loaded without error", name)
		}
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("missing file loaded")
	}
}

func TestConfigJSONRoundTrip(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.RotateRefreshTokens = true
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"access_token_ttl":"24h0m0s"`) {
		t.Errorf("TTL not written as a duration: %s", b)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, cfg) {
		t.Errorf("round trip = %+v", back)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxFieldLen+1)
	tests := map[string]func(*Config){
		"no clients":         func(c *Config) { c.Clients = nil; c.Users = nil },
		"empty client id":    func(c *Config) { c.Clients[0].ID = ""; c.Users = nil },
		"empty secret":       func(c *Config) { c.Clients[0].Secret = "" },
		"client id too long": func(c *Config) { c.Clients[0].ID = long; c.Users = nil },
		"secret too long":    func(c *Config) { c.Clients[0].Secret = long },
		"duplicate client":   func(c *Config) { c.Clients = append(c.Clients, c.Clients[0]) },
		"bad scope":          func(c *Config) { c.Clients[0].Scopes = []string{"a b"} },
		"user of no client":  func(c *Config) { c.Users[0].ClientID = "ghost" },
		"empty username":     func(c *Config) { c.Users[0].Username = "" },
		"password too long":  func(c *Config) { c.Users[0].Password = long },
		"duplicate user":     func(c *Config) { c.Users = append(c.Users, c.Users[0]) },
		"empty audience":     func(c *Config) { c.Audiences = []string{""} },
		"negative ttl":       func(c *Config) { c.AccessTokenTTL = -time.Second },
		"unknown policy":     func(c *Config) { c.RevokeUnknown = "ignore" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			mutate(&cfg)
			if cfg.Validate() == nil {
				t.Fatal("Validate accepted it")
			}
			defer func() {
				if recover() == nil {
					t.Error("New accepted it")
				}
			}()
			New(cfg)
		})
	}
}

func TestNewCopiesConfig(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	e := newEnv(t, cfg)
	cfg.Clients[0].Scopes[1] = "changed"
	cfg.Clients[0].Secret = "changed"
	mustAnswer(t, e.post(t, pathToken, ccFields()))
}
