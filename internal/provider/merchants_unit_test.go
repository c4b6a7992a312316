package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestParseMerchants(t *testing.T) {
	t.Parallel()
	cases := map[string]string{ // PAYME_MERCHANTS -> substring of the error, "" for valid
		`{"a": {"client_id": "id-a", "client_secret": "secret-a"}, "b": {"client_id": "id-b", "client_secret": "secret-b"}}`: "",
		`{}`: "",
		`{"a": {"client_id": "id-a"}, "b": {"client_id": "id-b", "client_secret": "s"}}`: `"a" without both client_id and client_secret: set both for every merchant (the others are "b")`,
		`{"a": {"client_secret": "secret-a"}}`:                                           `"a" without both`,
		`{" a": {"client_id": "i", "client_secret": "s"}}`:                               `named " a"`,
		`{"a": {"client_id": "i d", "client_secret": "s"}}`:                              `client_id for the merchant "a" that contains white space`,
		`{"a": {"client_id": "i", "client_secret": "s", "scopes": []}}`:                  "not a JSON object of merchants",
		`{"a": {"client_id": "i", "client_secret": "hunter2-secret"}} trailing`:          "not a JSON object of merchants",
		`["a"]`: "not a JSON object of merchants",
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := parseMerchants(in)
			switch {
			case want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
				t.Errorf("error %v, want one containing %q", err, want)
			case err != nil && strings.Contains(err.Error(), "secret-"):
				t.Errorf("the error quotes a secret: %v", err)
			}
		})
	}
}

// TestMerchantsKeptApart: each merchant has its own client, built on first
// use; the opener finds any merchant's key by its identifier, deriving only
// as far as it must.
func TestMerchantsKeptApart(t *testing.T) {
	t.Parallel()
	p := &paymeProvider{now: time.Now, lookupEnv: func(string) (string, bool) { return "", false }}
	var s settings
	s.authURL.value = "http://127.0.0.1:1"
	s.maxRetries.value = 0
	s.requestTimeout.value = time.Second
	s.merchants.value = map[string]credentials{"a": {"id-a", "secret-a"}, "b": {"id-b", "secret-b"}, "c": {"id-c", "secret-c"}}
	var diags diag.Diagnostics
	d := &providerData{configured: true, merchants: p.merchantsFor(s, "test"), keys: sealingKeys(s, &diags)}
	if d.keys != nil || diags.HasError() {
		t.Fatalf("without default credentials or sealing_key there is no default key ring (%v)", diags)
	}
	for name, m := range d.merchants {
		if m.client != nil || m.keys != nil {
			t.Fatalf("merchant %s built before use", name)
		}
	}
	ca, ka := d.forMerchant(types.StringValue("a"), &diags)
	cb, kb := d.forMerchant(types.StringValue("b"), &diags)
	if diags.HasError() || ca == nil || cb == nil || ca == cb || ka.Current().ID() == kb.Current().ID() {
		t.Fatalf("merchants a and b share a client or a key (%v)", diags)
	}
	if again, _ := d.forMerchant(types.StringValue("a"), &diags); again != ca {
		t.Error("merchant a's client was built twice: its cache would not be shared")
	}
	sealed := kb.Seal("token-of-b", "sha256:0")
	got, err := d.open(sealed, "sha256:0")
	if err != nil || got != "token-of-b" {
		t.Fatalf("open = %q, %v; want b's token", got, err)
	}
	if d.merchants["c"].keys != nil {
		t.Error("opening b's token derived c's key, which comes after it")
	}
	if _, err := d.open(strings.Replace(sealed, kb.Current().ID(), "00000000", 1), "sha256:0"); err == nil {
		t.Error("a value under no configured key opened")
	}
}
