package loglevel

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

func TestLevels(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		env  map[string]string
		want map[string]string
	}{
		"no logging asked for": {
			env:  map[string]string{},
			want: map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_PROVIDER": "OFF", "TF_LOG_PROVIDER_PAYME": "OFF"},
		},
		"TF_LOG": {
			env:  map[string]string{"TF_LOG": "DEBUG"},
			want: map[string]string{"TF_LOG_SDK": "DEBUG", "TF_LOG_PROVIDER": "DEBUG", "TF_LOG_PROVIDER_PAYME": "DEBUG"},
		},
		"TF_LOG_PROVIDER wins over TF_LOG and is kept": {
			env:  map[string]string{"TF_LOG": "WARN", "TF_LOG_PROVIDER": "TRACE"},
			want: map[string]string{"TF_LOG_SDK": "TRACE", "TF_LOG_PROVIDER_PAYME": "TRACE"},
		},
		"explicit SDK level kept": {
			env:  map[string]string{"TF_LOG_SDK": "INFO"},
			want: map[string]string{"TF_LOG_PROVIDER": "OFF", "TF_LOG_PROVIDER_PAYME": "OFF"},
		},
		"explicit provider level kept": {
			env:  map[string]string{"TF_LOG_PROVIDER_PAYME": "DEBUG"},
			want: map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_PROVIDER": "OFF"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := levels(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if !maps.Equal(got, tc.want) {
				t.Errorf("levels(%v) = %v, want %v", tc.env, got, tc.want)
			}
		})
	}
}

// TestProviderLogsNothingByDefault serves one RPC through the plugin SDK's
// own server, in a child process, after Match, with a provider
// that logs at TRACE: without TF_LOG the child must write no line on
// stderr (Terraform would parse and drop it); with TF_LOG=TRACE it must,
// which shows the check can see a line.
func TestProviderLogsNothingByDefault(t *testing.T) {
	if os.Getenv("PAYME_LOG_LEVELS_CHILD") != "" {
		Match()
		s := tf6server.New("registry.terraform.io/payme-community/payme", tracingProvider{})
		_, _ = s.GetProviderSchema(context.Background(), nil)
		return
	}
	t.Parallel()
	for _, tc := range []struct {
		env   string
		lines bool
	}{{"", false}, {"TF_LOG=TRACE", true}} {
		cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestProviderLogsNothingByDefault$")
		cmd.Env = []string{"PAYME_LOG_LEVELS_CHILD=1", tc.env}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("child: %v\n%s", err, stderr.String())
		}
		if got := strings.Contains(stderr.String(), "a provider line"); got != tc.lines {
			t.Errorf("with %q in the environment, the provider's TRACE line written: %v, want %v\n%s", tc.env, got, tc.lines, stderr.String())
		}
	}
}

// tracingProvider logs one line at TRACE from GetProviderSchema.
type tracingProvider struct{ tfprotov6.ProviderServer }

func (tracingProvider) GetProviderSchema(ctx context.Context, _ *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	tflog.Trace(ctx, "a provider line")
	return &tfprotov6.GetProviderSchemaResponse{}, nil
}
