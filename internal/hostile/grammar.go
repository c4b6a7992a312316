package hostile

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
)

// Echo builds the texts of one answer (a code, messages, an error and its
// description) that echo secrets as program says: program is read a byte
// at a time as choices in a grammar, so a fuzzer that changes it explores
// the grammar. A secret is echoed whole in one text, or cut into pieces
// of 6 to 11 bytes spread over the texts in order or reversed, or inside
// the base64 of a request body holding them all; each echo is encoded by
// up to three Encoders in turn, and put behind a label and between words.
func Echo(program []byte, secrets []string) []string {
	p := &program
	texts := make([]string, 1+int(next(p))%4)
	for i := range texts {
		texts[i] = pick(p, fillers)
	}
	if len(secrets) == 0 {
		return texts
	}
	secret := secrets[int(next(p))%len(secrets)]
	var echoes []string
	switch next(p) % 4 {
	case 0:
		echoes = []string{secret}
	case 1, 2:
		n := 6 + int(next(p))%6
		for s := secret; s != ""; s = s[min(n, len(s)):] {
			echoes = append(echoes, s[:min(n, len(s))])
		}
		if next(p)%2 == 1 {
			slices.Reverse(echoes)
		}
	default:
		body, _ := json.Marshal(map[string]string{"client_id": BasicClientID, "client_secret": secrets[0], "password": secrets[len(secrets)-1]})
		echoes = []string{base64.StdEncoding.EncodeToString(body)}
	}
	encs := []func(string) string{}
	for range int(next(p)) % 4 {
		encs = append(encs, Encoders[int(next(p))%len(Encoders)])
	}
	for len(texts) < len(echoes) {
		texts = append(texts, "")
	}
	first := 0 // one piece a text, in order
	if len(echoes) == 1 {
		first = int(next(p)) % len(texts)
	}
	for i, e := range echoes {
		for _, enc := range encs {
			e = enc(e)
		}
		texts[first+i] = pick(p, labels) + pick(p, fillers) + e + pick(p, fillers)
	}
	return texts
}

var (
	fillers = []string{"", " ", "Solicitud inválida: ", " no es válido", "rejected ", ", "}
	labels  = []string{"", "es_PE: ", "invalid_request: ", "01: "}
)

func next(p *[]byte) byte {
	if len(*p) == 0 {
		return 0
	}
	b := (*p)[0]
	*p = (*p)[1:]
	return b
}

func pick(p *[]byte, from []string) string { return from[int(next(p))%len(from)] }

// LeaksInAnswer is Leaks for the texts of one answer as a person reads
// them: each text, and all of them joined in order and in reverse.
func LeaksInAnswer(texts, secrets []string) []int {
	rev := slices.Clone(texts)
	slices.Reverse(rev)
	found := map[int]bool{}
	for _, t := range append(slices.Clone(texts), strings.Join(texts, ""), strings.Join(rev, "")) {
		for _, i := range Leaks(t, secrets) {
			found[i] = true
		}
	}
	var out []int
	for i := range secrets {
		if found[i] {
			out = append(out, i)
		}
	}
	return out
}
