package delivery

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSendStateGate: failures from one or two chats are theirs; from three
// with no answer in between, the gate closes and lets one probe through
// at a time, further apart after each failed probe up to probeCap; the
// first answer opens it and tells when the outage began.
func TestSendStateGate(t *testing.T) {
	t.Parallel()
	s := newSendState()
	s.lead(true)
	t0 := time.Date(2021, 11, 18, 8, 0, 0, 0, time.UTC)
	s.failed(1, "Bad Gateway", t0, false)
	s.failed(2, "Bad Gateway", t0.Add(time.Second), false)
	s.failed(2, "Bad Gateway", t0.Add(2*time.Second), false)
	if s.outage() {
		t.Fatal("two failing chats closed the gate")
	}
	s.failed(3, "Bad Gateway", t0.Add(3*time.Second), false)
	if !s.outage() || s.backoff != probeFirst {
		t.Fatalf("three failing chats: outage %v, backoff %v", s.outage(), s.backoff)
	}
	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	if _, err := s.gate(short()); err == nil {
		t.Fatal("the gate let a send through before the first probe")
	}
	s.mu.Lock()
	s.probeAt = time.Now()
	s.mu.Unlock()
	if probe, err := s.gate(short()); err != nil || !probe {
		t.Fatalf("probe time: probe %v, %v", probe, err)
	}
	if _, err := s.gate(short()); err == nil {
		t.Fatal("a second send went through while the probe is in flight")
	}
	for i, want := range []time.Duration{2 * time.Second, 4 * time.Second, probeCap} {
		s.failed(int64(10+i), "Bad Gateway", t0.Add(time.Duration(4+i)*time.Second), true)
		if s.backoff != want || s.probing {
			t.Fatalf("failed probe %d: backoff %v (probing %v), want %v", i+1, s.backoff, s.probing, want)
		}
	}
	if p := s.sendProblem(t0.Add(time.Minute)); p != "" {
		t.Errorf("failing for 6 s: %q", p)
	}
	s.failed(20, "Bad Gateway", t0.Add(61*time.Second), false)
	if p := s.sendProblem(t0.Add(61 * time.Second)); !strings.Contains(p, "failed for 1m1s") || !strings.Contains(p, "Bad Gateway") {
		t.Errorf("failing for 61 s: %q", p)
	}
	if since := s.answered(); !since.Equal(t0) || s.outage() {
		t.Fatalf("answer: outage since %v (want %v), still down %v", since, t0, s.outage())
	}
	if probe, err := s.gate(short()); err != nil || probe {
		t.Fatalf("after the answer: probe %v, %v", probe, err)
	}
	if p := s.sendProblem(t0.Add(time.Hour)); p != "" {
		t.Errorf("after the answer: %q", p)
	}
}
