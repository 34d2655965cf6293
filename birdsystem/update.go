package birdsystem

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-querystring/query"

	"github.com/ordertrack/ordertrack/status"
)

// batchUpdateStatusPath confirms or cancels consignments.
const batchUpdateStatusPath = "/client/Consignment/Batch-Update-Status"

// UpdateConsignmentStatus sets the status of the consignments ids (POST
// /client/Consignment/Batch-Update-Status, with ids joined by commas and
// status): PENDING confirms them to the warehouse, CANCELLED cancels them.
// Like a create it is never sent twice; when it may have reached BirdSystem
// without an answer, the error matches status.ErrOutcomeUnknown: look the
// consignments up before sending it again.
func (c *Client) UpdateConsignmentStatus(ctx context.Context, st status.BirdSystemStatus, ids ...int64) (err error) {
	ctx, end := c.t.Start(ctx, "UpdateConsignmentStatus", len(ids))
	defer func() { end(err) }()
	switch {
	case len(ids) == 0:
		return fmt.Errorf("birdsystem: no consignment ids: %w", status.ErrInvalidRequest)
	case st != status.BirdSystemPending && st != status.BirdSystemCancelled:
		return fmt.Errorf("birdsystem: status %q: BirdSystem confirms (PENDING) or cancels (CANCELLED): %w", string(st), status.ErrInvalidRequest)
	}
	list := make([]string, len(ids))
	for i, id := range ids {
		if id <= 0 {
			return fmt.Errorf("birdsystem: consignment id %d: %w", id, status.ErrInvalidRequest)
		}
		list[i] = strconv.FormatInt(id, 10)
	}
	form, err := query.Values(struct {
		IDs    string                  `url:"ids"`
		Status status.BirdSystemStatus `url:"status"`
	}{strings.Join(list, ","), st})
	if err != nil {
		return err
	}
	return c.write(ctx, batchUpdateStatusPath, form.Encode())
}

// ConfirmConsignment confirms consignments to the warehouse (status
// PENDING); see UpdateConsignmentStatus.
func (c *Client) ConfirmConsignment(ctx context.Context, ids ...int64) error {
	return c.UpdateConsignmentStatus(ctx, status.BirdSystemPending, ids...)
}

// CancelConsignment cancels consignments (status CANCELLED); see
// UpdateConsignmentStatus.
func (c *Client) CancelConsignment(ctx context.Context, ids ...int64) error {
	return c.UpdateConsignmentStatus(ctx, status.BirdSystemCancelled, ids...)
}
