package paymeauth

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem names the tflog subsystem ("provider.paymeauth" in logs). Its
// level follows the provider's unless TF_LOG_PROVIDER_PAYME_AUTH is set.
const logSubsystem = "paymeauth"

// maxLoggedBody keeps TRACE logs readable when a proxy answers with a page.
const maxLoggedBody = 8 << 10

const mask = "***"

// sensitiveKeys are JSON keys whose values never reach a log, whatever they
// hold; values are replaced structurally before logging.
var sensitiveKeys = []string{"client_secret", "password", "access_token", "refresh_token", "id_token"}

// logContext prepares the context all logs of one call go through. The
// bodies are masked structurally before logging; the string masks added here
// are defence in depth for anything that slips through (a server echoing a
// secret in an HTML page, a transport error quoting the body, ...).
func (c *Client) logContext(ctx context.Context, sp *callSpec) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_PAYME", "AUTH"))
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem, sensitiveKeys...)
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, sensitiveKeys...)
	if len(sp.secrets) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, sp.secrets...)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, sp.secrets...)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, sp.secrets...)
		ctx = tflog.MaskMessageStrings(ctx, sp.secrets...)
	}
	ctx = tflog.SubsystemSetField(ctx, logSubsystem, "paymeauth_op", sp.op)
	if sp.grant != "" {
		ctx = tflog.SubsystemSetField(ctx, logSubsystem, "paymeauth_grant", string(sp.grant))
	}
	return ctx
}

// withAnswerMasks adds the secrets of an answer (access and refresh token)
// to the masks of ctx; they are only known once the answer is read.
func withAnswerMasks(ctx context.Context, secrets []string) context.Context {
	if len(secrets) == 0 {
		return ctx
	}
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
	return tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
}

func (c *Client) logDebug(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemDebug(ctx, logSubsystem, msg, fields)
}

func (c *Client) logTrace(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemTrace(ctx, logSubsystem, msg, fields)
}

func (c *Client) logCacheHit(ctx context.Context, tok *Token) {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_PAYME", "AUTH"))
	ctx = withAnswerMasks(ctx, secretList(tok.AccessToken, tok.RefreshToken))
	c.logDebug(ctx, "Pay-me token served from cache", map[string]any{
		"expires_at": tok.ExpiresAt.UTC().Format(time.RFC3339),
		"scope":      strings.Join(tok.Scopes, " "),
	})
}

// logAttempt logs every HTTP attempt at DEBUG and, at TRACE, its answer body
// after masking.
func (x *exchange) logAttempt(resp *http.Response, err error, retryable bool) {
	fields := map[string]any{
		"method":      http.MethodPost,
		"url":         x.sp.logURL,
		"attempt":     x.attempts,
		"status":      x.cur.status,
		"duration_ms": time.Since(x.start).Milliseconds(),
		"retryable":   retryable,
	}
	if err != nil {
		fields["error"] = scrub(err.Error(), x.sp.secrets)
	}
	if x.readErr != nil {
		fields["read_error"] = scrub(x.readErr.Error(), x.sp.secrets)
	}
	x.c.logDebug(x.ctx, "Pay-me HTTP attempt", fields)
	if resp == nil || !tflog.SubsystemIsTrace(x.ctx, logSubsystem) {
		return
	}
	a, _ := parseAnswer(x.cur.body, x.sp.op)
	answerSecrets := secretList(a.accessToken, a.refreshToken)
	all := append(slices.Clone(x.sp.secrets), answerSecrets...)
	x.c.logTrace(withAnswerMasks(x.ctx, answerSecrets), "Pay-me answer body", map[string]any{
		"url":     x.sp.logURL,
		"attempt": x.attempts,
		"status":  x.cur.status,
		"body":    maskBody(x.cur.body, all),
	})
}

// maskBody renders a body for TRACE logs: JSON with every sensitive key's
// value replaced, or (not JSON) the raw text cut to maxLoggedBody; in both
// cases every known secret value is scrubbed as well.
func maskBody(body []byte, secrets []string) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var s string
	if err := dec.Decode(&v); err == nil && dec.Decode(new(any)) == io.EOF {
		v = maskValue(v)
		out, err := json.Marshal(v)
		if err == nil {
			s = string(out)
		}
	}
	if s == "" {
		s = string(body)
	}
	if len(s) > maxLoggedBody {
		s = clip(s, maxLoggedBody)
	}
	return scrub(s, secrets)
}

func maskValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if val != nil && slices.Contains(sensitiveKeys, strings.ToLower(k)) {
				t[k] = mask
				continue
			}
			t[k] = maskValue(val)
		}
	case []any:
		for i := range t {
			t[i] = maskValue(t[i])
		}
	}
	return v
}

// secretList returns the non-empty secrets plus their JSON-escaped forms
// (what they look like inside a JSON body when they hold characters JSON
// escapes), longest first so that scrubbing a secret that contains another
// one replaces the long one whole.
func secretList(values ...string) []string {
	out := make([]string, 0, len(values)*2)
	for _, v := range values {
		if v == "" {
			continue
		}
		out = append(out, v)
		if b, err := json.Marshal(v); err == nil {
			if esc := string(b[1 : len(b)-1]); esc != v {
				out = append(out, esc)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	return slices.Compact(out)
}

func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, mask)
		}
	}
	return s
}

func scrubAll(msgs []string, secrets []string) []string {
	if len(msgs) == 0 {
		return nil
	}
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = scrub(m, secrets)
	}
	return out
}
