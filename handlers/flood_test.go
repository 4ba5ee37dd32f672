package handlers

import (
	"testing"
	"time"
)

// TestFloodGate: the window slides from each person's oldest command let
// through, the warning is given once, and the gate's memory holds only the
// people active in the last window, so a year of traffic does not grow it.
func TestFloodGate(t *testing.T) {
	g := newFloodGate()
	t0 := time.Date(2021, 11, 18, 9, 0, 0, 0, time.UTC)
	for id := range int64(1000) {
		if v, _ := g.admit(1000+id, t0); v != floodPass {
			t.Fatalf("person %d's first command: %v", id, v)
		}
	}
	const p = 1
	g.admit(p, t0)
	for i := 1; i < FloodLimit; i++ {
		if v, _ := g.admit(p, t0.Add(time.Second)); v != floodPass {
			t.Fatalf("command %d: %v", i+1, v)
		}
	}
	if v, wait := g.admit(p, t0.Add(2*time.Second)); v != floodWarn || wait != FloodWindow-2*time.Second {
		t.Fatalf("the first over: %v, %v", v, wait)
	}
	if v, _ := g.admit(p, t0.Add(FloodWindow-time.Nanosecond)); v != floodDrop {
		t.Fatalf("before the oldest is a window old: %v", v)
	}
	// The oldest (t0) leaves the window: room for one, then a new warning.
	if v, _ := g.admit(p, t0.Add(FloodWindow)); v != floodPass {
		t.Fatalf("once the oldest left the window: %v", v)
	}
	if v, wait := g.admit(p, t0.Add(FloodWindow)); v != floodWarn || wait != time.Second {
		t.Fatalf("full again: %v, %v", v, wait)
	}
	g.admit(2, t0.Add(2*FloodWindow-time.Second))
	if len(g.people) != 2 {
		t.Errorf("%d people remembered, want the 2 active in the last window", len(g.people))
	}
}
