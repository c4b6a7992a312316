package paymeauth

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/payme-community/terraform-provider-payme/internal/redact"
)

const (
	logSubsystem  = "paymeauth" // "provider.paymeauth"; its level can be set with TF_LOG_PROVIDER_PAYME_AUTH
	maxLoggedBody = 8 << 10     // keeps TRACE logs readable when a proxy answers with a page
)

// logContext prepares the context all logs of one call go through. Every
// logged text is already cleaned (package redact); the tflog masks added
// here are defence in depth for anything that slips through.
func logContext(ctx context.Context, op string, grant Grant, secrets *redact.Set) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_PAYME", "AUTH"))
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem,
		"client_secret", "password", "access_token", "refresh_token", "id_token")
	ctx = withMasks(ctx, secrets.Forms())
	ctx = tflog.SubsystemSetField(ctx, logSubsystem, "paymeauth_op", op)
	if grant != "" {
		ctx = tflog.SubsystemSetField(ctx, logSubsystem, "paymeauth_grant", string(grant))
	}
	return ctx
}

func withMasks(ctx context.Context, secrets []string) context.Context {
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
	return tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
}

func logCacheHit(ctx context.Context, grant Grant, tok *Token) {
	ctx = logContext(ctx, opToken, grant, redact.New(tok.AccessToken, tok.RefreshToken))
	tflog.SubsystemDebug(ctx, logSubsystem, "Pay-me token served from cache", map[string]any{
		"expires_at": tok.ExpiresAt.UTC().Format(time.RFC3339),
		"scope":      strings.Join(tok.Scopes, " "),
	})
}

// logAttempt logs every HTTP attempt at DEBUG and, at TRACE, its answer
// body, cleaned with every secret known so far (the answer's own included).
func logAttempt(ctx context.Context, sp *callSpec, st *callState, at *attempt, took time.Duration) {
	ctx = withMasks(ctx, st.secrets.Forms())
	n := st.attempts
	fields := map[string]any{"method": http.MethodPost, "url": sp.logURL, "attempt": n, "status": at.status,
		"duration_ms": took.Milliseconds(), "retryable": at.retry}
	if at.cause != nil {
		fields["error"] = st.secrets.Clip(at.cause.Error(), maxMessageLen)
	}
	tflog.SubsystemDebug(ctx, logSubsystem, "Pay-me HTTP attempt", fields)
	if at.status != 0 && tflog.SubsystemIsTrace(ctx, logSubsystem) {
		tflog.SubsystemTrace(ctx, logSubsystem, "Pay-me answer body", map[string]any{
			"url": sp.logURL, "attempt": n, "status": at.status, "body": st.secrets.Body(at.body, maxLoggedBody),
		})
	}
}
