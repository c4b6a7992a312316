package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// printJournal reads a running sandbox's journal and counters through its
// control endpoints and prints them for people: one line per request, with
// the body fields the sandbox already masked.
func printJournal(ctx context.Context, baseURL string, out io.Writer) error {
	var entries []sandbox.Entry
	if err := getJSON(ctx, baseURL+"/_sandbox/requests", &entries); err != nil {
		return err
	}
	var stats struct {
		LiveRefreshTokens int `json:"live_refresh_tokens"`
	}
	if err := getJSON(ctx, baseURL+"/_sandbox/stats", &stats); err != nil {
		return err
	}
	for _, e := range entries {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		fields := make([]string, 0, len(keys))
		for _, k := range keys {
			fields = append(fields, k+"="+e.Fields[k])
		}
		line := fmt.Sprintf("%s  %s %-7s %s  %s", e.Time.Format(time.TimeOnly), e.Method, e.Endpoint,
			journalStatus(e), strings.Join(fields, " "))
		fmt.Fprintln(out, strings.TrimRight(line, " "))
	}
	fmt.Fprintf(out, "live refresh tokens: %d\n", stats.LiveRefreshTokens)
	return nil
}

func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// journalStatus prints the status, and for 0 what it means: the sandbox
// answered nothing, because an injected fault dropped the connection or the
// client gave up while an injected latency held the answer back.
func journalStatus(e sandbox.Entry) string {
	switch {
	case e.Status != 0:
		return fmt.Sprint(e.Status)
	case e.Fault == string(sandbox.FaultDrop):
		return "0 (no answer: the injected drop fault closed the connection)"
	default:
		return "0 (no answer: the client gave up first, e.g. during injected latency)"
	}
}
