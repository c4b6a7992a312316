package paymeauth

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem names the tflog subsystem ("provider.paymeauth" in logs). Its
// level follows the provider's unless TF_LOG_PROVIDER_PAYME_AUTH is set.
const logSubsystem = "paymeauth"

// maxLoggedBody keeps TRACE logs readable when a proxy answers with a page.
const maxLoggedBody = 8 << 10

// sensitiveKeys are field keys whose values never reach a log.
var sensitiveKeys = []string{"client_secret", "password", "access_token", "refresh_token", "id_token"}

// logContext prepares the context all logs of one call go through. Every
// logged text is already cleaned (mask.go); the tflog masks added here are
// defence in depth for anything that slips through.
func (c *Client) logContext(ctx context.Context, sp *callSpec) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_PAYME", "AUTH"))
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem, sensitiveKeys...)
	ctx = withMasks(ctx, sp.secrets.forms)
	ctx = tflog.SubsystemSetField(ctx, logSubsystem, "paymeauth_op", sp.op)
	if sp.grant != "" {
		ctx = tflog.SubsystemSetField(ctx, logSubsystem, "paymeauth_grant", string(sp.grant))
	}
	return ctx
}

func withMasks(ctx context.Context, secrets []string) context.Context {
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
	return tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
}

func (c *Client) logDebug(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemDebug(ctx, logSubsystem, msg, fields)
}

func (c *Client) logCacheHit(ctx context.Context, tok *Token) {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_PAYME", "AUTH"))
	ctx = withMasks(ctx, newSecretSet(tok.AccessToken, tok.RefreshToken).forms)
	c.logDebug(ctx, "Pay-me token served from cache", map[string]any{
		"expires_at": tok.ExpiresAt.UTC().Format(time.RFC3339),
		"scope":      strings.Join(tok.Scopes, " "),
	})
}

// logAttempt logs every HTTP attempt at DEBUG and, at TRACE, its answer
// body, cleaned with every secret known so far (the answer's own included).
func (c *Client) logAttempt(ctx context.Context, sp *callSpec, n int, at *attempt, took time.Duration) {
	ctx = withMasks(ctx, sp.secrets.forms)
	fields := map[string]any{
		"method":      http.MethodPost,
		"url":         sp.logURL,
		"attempt":     n,
		"status":      at.status,
		"duration_ms": took.Milliseconds(),
		"retryable":   at.retry,
	}
	if at.cause != nil {
		fields["error"] = sp.secrets.cleanClip(at.cause.Error(), maxMessageLen)
	}
	c.logDebug(ctx, "Pay-me HTTP attempt", fields)
	if at.status != 0 && tflog.SubsystemIsTrace(ctx, logSubsystem) {
		tflog.SubsystemTrace(ctx, logSubsystem, "Pay-me answer body", map[string]any{
			"url": sp.logURL, "attempt": n, "status": at.status, "body": sp.secrets.maskBody(at.body),
		})
	}
}
