package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// tokenRequest is a /token body that passed every structural rule: the
// grants work on it, never on the raw fields. An optional field that was
// not sent is "" (an empty one is refused).
type tokenRequest struct {
	grant        string
	clientID     string
	clientSecret string
	audience     string
	scopes       []string // parsed, repeats dropped
	username     string
	password     string
	refreshToken string
}

// revokeRequest is a /revoke body that passed every structural rule.
type revokeRequest struct {
	clientID     string
	clientSecret string
	refreshToken string
	username     string // "" when not sent
}

// parseToken applies the /token rules in a fixed order, so that a request
// with several faults always gets the same message.
func (s *Server) parseToken(fields map[string]string) (tokenRequest, *apiError) {
	grant, ok := fields["grant_type"]
	if !ok {
		// Checked before the field rules, which depend on the grant.
		if _, ok := fields["action"]; !ok {
			return tokenRequest{}, badRequest("Campo requerido: action")
		}
		return tokenRequest{}, badRequest("Campo requerido: grant_type")
	}
	rules, ok := tokenRules[grant]
	if !ok {
		return tokenRequest{}, badRequest("grant_type no soportado: %s", clip(grant, maxFieldLen))
	}
	if err := s.checkFields(fields, actionAuthorize, rules, " para grant_type "+grant); err != nil {
		return tokenRequest{}, err
	}
	scopes, err := parseScope(fields["scope"])
	if err != nil {
		return tokenRequest{}, err
	}
	if !slices.Contains(scopes, scopeCreateToken) {
		// The current docs call create:token "obligatorio para generar
		// tokens".
		return tokenRequest{}, badRequest("El scope %s es obligatorio", scopeCreateToken)
	}
	req := tokenRequest{
		grant:        grant,
		clientID:     fields["client_id"],
		clientSecret: fields["client_secret"],
		audience:     fields["audience"],
		scopes:       scopes,
		username:     fields["username"],
		password:     fields["password"],
		refreshToken: fields["refresh_token"],
	}
	if grant == grantPassword && (req.username == "") != (req.password == "") {
		// Both are optional, but one without the other cannot identify a
		// user: say so instead of guessing which was meant.
		return tokenRequest{}, badRequest("username y password deben enviarse juntos")
	}
	return req, nil
}

// parseRevoke applies the /revoke rules.
func (s *Server) parseRevoke(fields map[string]string) (revokeRequest, *apiError) {
	if err := s.checkFields(fields, actionRevoke, revokeRules, ""); err != nil {
		return revokeRequest{}, err
	}
	return revokeRequest{
		clientID:     fields["client_id"],
		clientSecret: fields["client_secret"],
		refreshToken: fields["refresh_token"],
		username:     fields["username"],
	}, nil
}

// fieldRules says which body fields an operation takes. The real service's
// reaction to extra fields is undocumented; the sandbox refuses them so that
// a provider sending anything beyond the documented fields (a password on
// client_credentials, a scope on /revoke) is caught in tests rather than
// left to chance in production.
type fieldRules struct {
	required []string // in documented order, so the first missing one is reported
	optional []string
}

func (fr fieldRules) allows(name string) bool {
	return slices.Contains(fr.required, name) || slices.Contains(fr.optional, name)
}

var (
	tokenRules = map[string]fieldRules{
		grantClientCredentials: {required: []string{"action", "grant_type", "client_id", "client_secret", "audience", "scope"}},
		grantPassword:          {required: []string{"action", "grant_type", "client_id", "client_secret", "audience", "scope"}, optional: []string{"username", "password"}},
		grantRefreshToken:      {required: []string{"action", "grant_type", "client_id", "client_secret", "audience", "scope", "refresh_token"}, optional: []string{"username"}},
	}
	revokeRules = fieldRules{required: []string{"action", "client_id", "client_secret", "audience", "refresh_token"}, optional: []string{"username"}}

	// lengthLimited are the fields documented with "Long. 100".
	lengthLimited = []string{"client_id", "client_secret", "username", "password", "refresh_token"}
)

// checkFields applies the structural rules common to both endpoints, in a
// fixed order so that a request with several faults always gets the same
// message.
func (s *Server) checkFields(fields map[string]string, wantAction string, rules fieldRules, context string) *apiError {
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !rules.allows(k) {
			return badRequest("Campo no permitido%s: %s", context, clip(k, maxFieldLen))
		}
	}
	// An empty optional field is refused rather than read as absent: a
	// conforming client omits what it does not send.
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if fields[k] == "" {
			return badRequest("Campo vacío: %s", k)
		}
	}
	for _, k := range rules.required {
		if _, ok := fields[k]; !ok {
			return badRequest("Campo requerido: %s", k)
		}
	}
	if fields["action"] != wantAction {
		return badRequest("action inválido: se esperaba %q", wantAction)
	}
	for _, k := range lengthLimited {
		if utf8.RuneCountInString(fields[k]) > maxFieldLen {
			return badRequest("El campo %s excede %d caracteres", k, maxFieldLen)
		}
	}
	// An unaccepted audience is a malformed request for this service, not
	// a credential problem, hence 400 ("invalid request" in the docs).
	if s.audiences != nil && !s.audiences[fields["audience"]] {
		return badRequest("Audience inválido")
	}
	return nil
}

func checkContentType(ct string) *apiError {
	unsupported := &apiError{status: http.StatusUnsupportedMediaType, msg: "Content-Type debe ser application/json"}
	if ct == "" {
		return unsupported
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return unsupported
	}
	// JSON is UTF-8 (RFC 8259 section 8.1); any other declared charset
	// means the client encodes something we would misread.
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return unsupported
	}
	return nil
}

// readFields reads a body that must be one flat JSON object of strings:
// every documented field is a string, and a number or nested object means
// the client builds its body wrongly. Duplicate keys are refused because
// servers disagree on which one wins. The fields parsed so far are returned
// even on error, for the journal.
func readFields(w http.ResponseWriter, r *http.Request) (map[string]string, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, badRequest("Cuerpo de la solicitud mayor a %d bytes", maxBody)
		}
		return nil, badRequest("No se pudo leer el cuerpo de la solicitud")
	}
	malformed := badRequest("JSON inválido")
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, badRequest("El cuerpo debe ser un objeto JSON")
	}
	fields := map[string]string{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return fields, malformed
		}
		key, _ := kt.(string) // object keys are always strings
		vt, err := dec.Token()
		if err != nil {
			return fields, malformed
		}
		v, ok := vt.(string)
		if !ok {
			return fields, badRequest("El campo %s debe ser texto", clip(key, maxFieldLen))
		}
		if _, dup := fields[key]; dup {
			return fields, badRequest("Campo duplicado: %s", clip(key, maxFieldLen))
		}
		fields[key] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fields, malformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return fields, badRequest("Datos adicionales después del objeto JSON")
	}
	return fields, nil
}

// parseScope splits a scope parameter per RFC 6749 section 3.3: tokens
// separated by single spaces. Sloppy joining (double or trailing spaces) is
// refused, since the real server's tolerance is unknown. Repeats are
// dropped, keeping the first occurrence's place.
func parseScope(scope string) ([]string, *apiError) {
	var out []string
	for sc := range strings.SplitSeq(scope, " ") {
		if !validScopeToken(sc) {
			return nil, badRequest("Scope inválido: use permisos separados por un espacio")
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// validScopeToken follows RFC 6749's scope-token grammar:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(sc string) bool {
	if sc == "" {
		return false
	}
	for i := 0; i < len(sc); i++ {
		c := sc[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
