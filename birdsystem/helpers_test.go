package birdsystem_test

import (
	"bytes"
	"encoding/json"
	"errors"
)

func compact(b []byte) ([]byte, error) {
	var out bytes.Buffer
	err := json.Compact(&out, b)
	return out.Bytes(), err
}

func isErr(err, target error) bool { return errors.Is(err, target) }
