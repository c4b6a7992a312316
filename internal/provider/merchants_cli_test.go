package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
	"github.com/payme-community/terraform-provider-payme/internal/hostile"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// manyMerchantsConsumer uses each merchant's token in the same apply, as a
// secrets store's write-only argument would: opened without a merchant
// argument, then spent on that merchant's refresh grant.
const manyMerchantsConsumer = `
ephemeral "payme_access_token" "consumer" {
  for_each = payme_refresh_token.merchant

  merchant      = each.key
  scopes        = ["create:token"]
  username      = each.value.username
  refresh_token = ephemeral.payme_refresh_token_secret.merchant[each.key].refresh_token
}

resource "terraform_data" "consumer" {
  for_each = payme_refresh_token.merchant

  triggers_replace = each.value.id
  provisioner "local-exec" {
    command     = "test \"$GRANT\" = refresh_token"
    environment = { GRANT = ephemeral.payme_access_token.consumer[each.key].grant_type }
  }
}
`

// merchantsEnv is a CLI environment with the guide's three merchants, no
// default credentials, and their secrets in TF_VAR_ variables.
type merchantsEnv struct {
	*cliEnv
	guide   sandbox.Config
	vars    []string
	secrets []string // every merchant's client secret and password
}

func newMerchantsCLIEnv(t *testing.T) *merchantsEnv {
	t.Helper()
	// The guide's merchants, with random secrets: the guide's own embed the
	// client IDs, which the state rightly holds, so a scan for pieces of
	// them would find the IDs.
	guide := guideMerchants(t)
	for i := range guide.Clients {
		guide.Clients[i].Secret = hostile.Credential(24)
	}
	for i := range guide.Users {
		guide.Users[i].Password = hostile.Credential(24)
	}
	c := newCLIEnv(t, func(cfg *sandbox.Config) { *cfg = guide })
	m := &merchantsEnv{cliEnv: c, guide: guide, vars: []string{"PAYME_CLIENT_ID=", "PAYME_CLIENT_SECRET="}}
	var secrets, passwords []string
	for _, cl := range guide.Clients {
		name := merchantName(cl.ID)
		secrets = append(secrets, fmt.Sprintf("%s=%q", name, cl.Secret))
		m.secrets = append(m.secrets, cl.Secret)
	}
	for _, u := range guide.Users {
		passwords = append(passwords, fmt.Sprintf("%s=%q", merchantName(u.ClientID), u.Password))
		m.secrets = append(m.secrets, u.Password)
	}
	m.vars = append(m.vars, "TF_VAR_client_secrets={"+strings.Join(secrets, ",")+"}", "TF_VAR_passwords={"+strings.Join(passwords, ",")+"}")
	return m
}

// writeConfig writes the configuration with its own provider block, in
// place of the preamble's.
func (m *merchantsEnv) writeConfig(hcl string) {
	m.t.Helper()
	writeFile(m.t, filepath.Join(m.dir, "main.tf"), strings.Replace(devoverride.Preamble, "provider \"payme\" {}\n", "", 1)+hcl)
}

// merchantName is the guide's name for a sandbox client: the first word.
func merchantName(clientID string) string {
	name, _, _ := strings.Cut(clientID, "-")
	return name
}

// useMerchants writes terraform.tfvars with the guide's merchants by name;
// a name ending in "!" is retired.
func (m *merchantsEnv) useMerchants(names ...string) {
	m.t.Helper()
	var b strings.Builder
	b.WriteString("merchants = {\n")
	for _, u := range m.guide.Users {
		name := merchantName(u.ClientID)
		retired := slices.Contains(names, name+"!")
		if !slices.Contains(names, name) && !retired {
			continue
		}
		scopes := `["create:token", "post:charges"]`
		if name == "cafe" {
			scopes = `["create:token", "get:charges"]`
		}
		fmt.Fprintf(&b, "  %s = { client_id = %q, username = %q, scopes = %s, retired = %t }\n", name, u.ClientID, u.Username, scopes, retired)
	}
	b.WriteString("}\n")
	writeFile(m.t, filepath.Join(m.dir, "terraform.tfvars"), b.String())
}

// journalBy lists the sandbox's requests from mark on as endpoint, client
// and status, in order.
func (m *merchantsEnv) journalBy(mark int) []string {
	var out []string
	for _, j := range m.sandbox.Journal()[mark:] {
		what := j.Endpoint
		if j.Grant != "" {
			what += " " + j.Grant
		}
		out = append(out, fmt.Sprintf("%s client_id=%s username=%s status=%d", what, j.Fields["client_id"], j.Fields["username"], j.Status))
	}
	return out
}

// revokesBy counts successful revocations per client from mark on.
func (m *merchantsEnv) revokesBy(mark int) map[string]int {
	out := map[string]int{}
	for _, j := range m.sandbox.Journal()[mark:] {
		if j.Endpoint == "/revoke" && j.Status == 200 {
			out[j.Fields["client_id"]]++
		}
	}
	return out
}

// noSecret scans texts for a piece of any merchant's secret or any token
// issued, with the one leak scan; a leak is named by index only.
func (m *merchantsEnv) noSecret(stage string, texts map[string]string) {
	m.t.Helper()
	issued := m.seen.issued()
	if len(issued) == 0 {
		m.t.Fatalf("%s: no token issued: the check would prove nothing", stage)
	}
	secrets := append(slices.Clone(m.secrets), issued...)
	for where, text := range texts {
		if leaks := hostile.Leaks(text, secrets); len(leaks) > 0 {
			m.t.Errorf("%s: secrets #%v (0-2 client secrets, 3-5 passwords, then tokens in issue order) appear in %s", stage, leaks, where)
		}
	}
}

// TestCLI_manyMerchants follows the many-merchants guide with its own
// example: for_each create, an empty plan, one merchant's token replaced, a
// merchant added, a merchant removed while its token remains (refused at
// plan, then removed as the guide says), and a destroy that revokes each
// token with its own merchant's credentials, with no secret in any output
// or state.
func TestCLI_manyMerchants(t *testing.T) {
	t.Parallel()
	m := newMerchantsCLIEnv(t)
	example, err := os.ReadFile("../../examples/guides/many_merchants.tf")
	if err != nil {
		t.Fatal(err)
	}
	m.writeConfig(string(example) + manyMerchantsConsumer)
	logPath := filepath.Join(m.dir, "trace.log")
	trace := append(slices.Clone(m.vars), "TF_LOG=TRACE", "TF_LOG_PATH="+logPath)
	outputs := map[string]string{}
	check := func(stage string) {
		t.Helper()
		log, _ := os.ReadFile(logPath)
		texts := map[string]string{"the state file": m.stateFile(), "show -json": m.run(m.vars, "show", "-json", "-no-color"), "the TRACE log": string(log)}
		for k, v := range outputs {
			texts[k] = v
		}
		m.noSecret(stage, texts)
	}

	m.useMerchants("bodega", "libreria")
	outputs["create"] = m.run(trace, "apply", "-auto-approve", "-input=false", "-no-color")
	if n := m.stateInstances("payme_refresh_token"); n != 2 || m.sandbox.LiveRefreshTokens() != 2 {
		t.Fatalf("create: %d tokens in the state, %d live, want 2 and 2", n, m.sandbox.LiveRefreshTokens())
	}
	check("create")

	cmd, out := m.command(t.Context(), m.vars, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err := cmd.Run(); err != nil {
		t.Errorf("plan after create: %v, want no changes\n%s", err, out)
	}

	mark := len(m.sandbox.Journal())
	outputs["replace"] = m.run(m.vars, "apply", "-auto-approve", "-input=false", "-no-color", `-replace=payme_refresh_token.merchant["bodega"]`)
	if got := m.revokesBy(mark); got["bodega-lima"] != 1 || len(got) != 1 {
		t.Errorf("replace: revocations per client %v, want one by bodega-lima", got)
	}

	m.useMerchants("bodega", "libreria", "cafe")
	outputs["add"] = m.run(m.vars, "apply", "-auto-approve", "-input=false", "-no-color")
	if live := m.sandbox.LiveRefreshTokens(); live != 3 {
		t.Errorf("add: %d live tokens, want 3", live)
	}

	m.useMerchants("bodega", "cafe")
	mark = len(m.sandbox.Journal())
	cmd, out = m.command(t.Context(), m.vars, "plan", "-input=false", "-no-color")
	if err := cmd.Run(); err == nil {
		t.Errorf("plan removing a merchant whose token remains succeeded:\n%s", out)
	}
	if !diagRegexp("Pay-me Merchant Removed", `payme_refresh_token.merchant["libreria"]`, `issued for the merchant "libreria"`, "Put the merchant back").MatchString(out.String()) {
		t.Errorf("the refused plan does not name the resource and what to do:\n%s", out)
	}
	outputs["refused plan"] = out.String()
	if n := m.sandbox.Requests("/revoke"); m.revokesBy(mark)["libreria-cusco"] != 0 {
		t.Errorf("the refused plan revoked a token (%d revocations in all)", n)
	}

	// The guide's way to remove a merchant: retire it, which revokes its
	// token while the provider still holds it, then remove it.
	m.useMerchants("bodega", "libreria!", "cafe")
	mark = len(m.sandbox.Journal())
	outputs["retire"] = m.run(m.vars, "apply", "-auto-approve", "-input=false", "-no-color")
	if got := m.revokesBy(mark); got["libreria-cusco"] != 1 || len(got) != 1 {
		t.Errorf("retire: revocations per client %v, want one by libreria-cusco", got)
	}
	m.useMerchants("bodega", "cafe")
	cmd, out = m.command(t.Context(), m.vars, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err := cmd.Run(); err != nil {
		t.Errorf("plan after removing a merchant whose token was destroyed: %v, want no changes\n%s", err, out)
	}

	mark = len(m.sandbox.Journal())
	outputs["destroy"] = m.run(trace, "destroy", "-auto-approve", "-input=false", "-no-color")
	t.Logf("sandbox journal of the destroy:\n%s", strings.Join(m.journalBy(mark), "\n"))
	if got := m.revokesBy(mark); got["bodega-lima"] != 1 || got["cafe-arequipa"] != 1 || len(got) != 2 {
		t.Errorf("destroy: revocations per client %v, want one by bodega-lima and one by cafe-arequipa", got)
	}
	// The sandbox lets a client revoke only its own tokens (and refuses the
	// rest, with revoke_unknown = reject): none left live means each was
	// revoked with its own merchant's credentials.
	if live := m.sandbox.LiveRefreshTokens(); live != 0 {
		t.Errorf("destroy: %d tokens still live", live)
	}
	check("destroy")
}

// TestCLI_manyMerchantsOpenTofuForEach applies and destroys the guide's
// alternative, OpenTofu's provider for_each, with the same variables.
func TestCLI_manyMerchantsOpenTofuForEach(t *testing.T) {
	t.Parallel()
	if !usingOpenTofu() {
		t.Skip("provider for_each is OpenTofu's; run with tools/tfcli.sh opentofu")
	}
	m := newMerchantsCLIEnv(t)
	example, err := os.ReadFile("../../examples/guides/many_merchants.tf")
	if err != nil {
		t.Fatal(err)
	}
	variables, _, _ := strings.Cut(string(example), `provider "payme"`)
	alternative, err := os.ReadFile("../../examples/guides/many_merchants_opentofu.tf")
	if err != nil {
		t.Fatal(err)
	}
	m.writeConfig(variables + string(alternative))
	m.useMerchants("bodega", "libreria", "cafe")
	outputs := map[string]string{"apply": m.run(m.vars, "apply", "-auto-approve", "-input=false", "-no-color")}
	if live := m.sandbox.LiveRefreshTokens(); live != 3 {
		t.Fatalf("apply: %d live tokens, want 3", live)
	}
	mark := len(m.sandbox.Journal())
	outputs["destroy"] = m.run(m.vars, "destroy", "-auto-approve", "-input=false", "-no-color")
	if got := m.revokesBy(mark); got["bodega-lima"] != 1 || got["libreria-cusco"] != 1 || got["cafe-arequipa"] != 1 {
		t.Errorf("destroy: revocations per client %v, want one by each merchant", got)
	}
	if live := m.sandbox.LiveRefreshTokens(); live != 0 {
		t.Errorf("destroy: %d tokens still live", live)
	}
	outputs["the state file"] = m.stateFile()
	m.noSecret("OpenTofu provider for_each", outputs)
}
