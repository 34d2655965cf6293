package main

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordertrack/ordertrack/internal/pgtest"
)

// TestMain runs the test binary as a worker when the fleet starts it as
// one (it starts os.Args[0]).
func TestMain(m *testing.M) {
	if slices.Contains(os.Args, "-worker") {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	pgtest.Main(m)
}

// Three workers on one Postgres: each move is seen though one worker is
// killed midway, and its accounts go to the others.
func TestFleet(t *testing.T) {
	c := pgtest.Get(t)
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"-postgres", c.URL, "-workers", "3"}, &out, &errOut), errOut.String()+out.String())
	text := out.String()
	require.Contains(t, text, "fleet: killed worker-")
	assert.Contains(t, text, "fleet: every move seen, 3 workers, one of them killed")
	at := strings.Index(text, "fleet: killed worker-")
	killed := text[at+len("fleet: killed ") : at+len("fleet: killed worker-1")]
	after := text[at:]
	assert.Regexp(t, `worker-\d drives `, after, "another worker takes an account of the killed one")
	assert.NotRegexp(t, killed+` drives `, after, "not the killed one")
	for _, move := range []string{"bailun CP-1002 ready_to_ship -> shipped", "flowery 1000027 out_for_delivery -> delivered"} {
		assert.Contains(t, text, move)
	}
}
