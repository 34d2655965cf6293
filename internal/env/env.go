// Package env reads a provider client's Config from environment variables,
// for the four packages' ConfigFromEnv: one naming, PREFIX_FIELD.
package env

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/ordertrack/ordertrack/status"
)

// Vars reads the variables of one prefix ("BAILUN", or "ACME_BAILUN" for
// a second account); an empty prefix is def.
type Vars struct{ prefix string }

// New returns the Vars of prefix, def when it is empty.
func New(prefix, def string) Vars {
	if prefix == "" {
		prefix = def
	}
	return Vars{prefix: strings.TrimSuffix(prefix, "_")}
}

// Name is the variable of field: PREFIX_FIELD.
func (v Vars) Name(field string) string { return v.prefix + "_" + field }

// Get returns the variable of field, "" when unset.
func (v Vars) Get(field string) string { return os.Getenv(v.Name(field)) }

// Int returns the variable of field as an integer, 0 when unset; an
// error naming the variable when it is not one.
func (v Vars) Int(field string) (int64, error) {
	s := v.Get(field)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is %q, not an integer: %w", v.Name(field), s, status.ErrInvalidConfig)
	}
	return n, nil
}
