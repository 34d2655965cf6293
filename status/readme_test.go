package status

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's generated tables")

const (
	readmeBegin = "<!-- BEGIN GENERATED TABLES: go test ./status -run TestReadmeTables -update-readme -->"
	readmeEnd   = "<!-- END GENERATED TABLES -->"
)

// renderTables renders the README's stage and reason tables from the
// status tables, so that the README never drifts from the code.
func renderTables() string {
	providers := []Provider{Bailun, Reseller, BirdSystem, Flowery}
	cell := func(m Mapping) string {
		s := "`" + m.Code.Value + "`"
		if m.Description != m.Code.Value && m.Description != "" {
			s += " " + m.Description
		}
		if _, only, ok := strings.Cut(m.Code.Field, ":"); ok {
			s += " (" + only + " only)"
		}
		return s
	}
	var b strings.Builder
	b.WriteString("| Stage | Bailun `orderStatus` | Reseller `orderStatus` | BirdSystem `status` | Flowery statuses (phrase found in the text) |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, st := range Stages() {
		cells := make([]string, len(providers))
		for _, m := range Mappings() {
			if m.Stage != st || m.Stage == Unknown {
				continue
			}
			for i, p := range providers {
				if m.Code.Provider == p {
					if cells[i] != "" {
						cells[i] += ", "
					}
					cells[i] += cell(m)
				}
			}
		}
		switch st {
		case Unknown:
			cells = []string{"any undocumented value, kept verbatim", "", "", ""}
		case NotFound:
			cells = []string{"the provider does not know the ref (set by `Track`)", "", "", ""}
		}
		b.WriteString("| `" + st.String() + "` | " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n| Reason | Provider codes |\n|---|---|\n")
	for _, r := range Reasons() {
		var codes []string
		for _, m := range Mappings() {
			if m.Reason == r && r != ReasonUnknown {
				codes = append(codes, string(m.Code.Provider)+" `"+m.Code.Field+"` "+cell(m))
			}
		}
		if r == ReasonUnknown {
			codes = []string{"any undocumented problem code, kept verbatim"}
		}
		if len(codes) == 0 {
			codes = []string{"(no documented code yet)"}
		}
		b.WriteString("| `" + r.String() + "` | " + strings.Join(codes, "; ") + " |\n")
	}
	return b.String()
}

// TestReadmeTables fails when the README's tables differ from the code's.
// Run it with -update-readme to rewrite them.
func TestReadmeTables(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	readme := string(raw)
	begin, end := strings.Index(readme, readmeBegin), strings.Index(readme, readmeEnd)
	require.True(t, begin >= 0 && end > begin, "README.md lacks the generated-tables markers")
	want := readme[:begin+len(readmeBegin)] + "\n" + renderTables() + readme[end:]
	if *updateReadme {
		require.NoError(t, os.WriteFile("../README.md", []byte(want), 0o644))
		return
	}
	require.Equal(t, want, readme, "README.md's tables are stale: go test ./status -run TestReadmeTables -update-readme")
}
