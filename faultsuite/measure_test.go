package faultsuite

import (
	"testing"
	"time"
)

// paced returns n messages sent every gap from start, numbered from n0+1.
func paced(start time.Time, n, n0 int, gap time.Duration) samples {
	s := make(samples, n)
	for i := range s {
		s[i] = sample{start.Add(time.Duration(i) * gap), n0 + i + 1}
	}
	return s
}

func TestMaxPerSecond(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	burst := append(paced(t0, 40, 0, time.Millisecond), paced(t0.Add(2*time.Second), 30, 40, 34*time.Millisecond)...)
	tests := []struct {
		name string
		s    samples
		want int
	}{
		{"none", nil, 0},
		{"paced at 30/s", paced(t0, 600, 0, time.Second/30+1), 30},
		{"a burst of 40 then paced", burst, 40},
	}
	for _, tt := range tests {
		if got := tt.s.maxPerSecond(); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestFullPaceAfter(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	end := t0.Add(10 * time.Second)
	before := paced(t0, 150, 0, time.Second/30)
	tests := []struct {
		name string
		s    samples
		want time.Duration
		ok   bool
	}{
		{"resumes at full pace 2 s after the end",
			append(before, paced(end.Add(2*time.Second), 450, 150, time.Second/30)...), 2 * time.Second, true},
		{"crawls at 10/s for 4 s, then full pace from 5 s",
			append(append(before, paced(end, 40, 150, 100*time.Millisecond)...), paced(end.Add(5*time.Second), 400, 190, time.Second/30)...), 5 * time.Second, true},
		{"never back above 20/s",
			append(before, paced(end, 450, 150, 50*time.Millisecond)...), 0, false},
		{"only a few were left: they count when they go",
			append(before, paced(end.Add(3*time.Second), 10, 150, time.Second/30)...), 3 * time.Second, true},
		{"all out before the end", before, 0, true},
		{"nothing sent", nil, 0, false},
	}
	if got := append(before, paced(end, 450, 150, 50*time.Millisecond)...).after(end).maxPerSecond(); got != 20 {
		t.Errorf("at most %d in a second after the end, want 20", got)
	}
	for _, tt := range tests {
		got, ok := tt.s.fullPaceAfter(end)
		if ok != tt.ok || (ok && (got-tt.want).Abs() > time.Millisecond) {
			t.Errorf("%s: %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHealthAddrPrefersTheOpsListener(t *testing.T) {
	const public = `time=… level=INFO msg="http listener ready" addr=127.0.0.1:4001` + "\n"
	const ops = `time=… level=INFO msg="ops listener ready" addr=127.0.0.1:4002` + "\n"
	for _, tt := range []struct{ log, want string }{
		{"", ""},
		{public, "127.0.0.1:4001"},
		{public + ops, "127.0.0.1:4002"},
		{ops + public, "127.0.0.1:4002"},
	} {
		if got := healthAddr(tt.log); got != tt.want {
			t.Errorf("healthAddr(%q) = %q, want %q", tt.log, got, tt.want)
		}
	}
}

// TestEveryBrokenPromiseFails checks that each figure past its bound makes
// the suite fail, and that figures within bounds do not.
func TestEveryBrokenPromiseFails(t *testing.T) {
	base := scenario{name: "baseline", no429: true}
	restart := scenario{name: "PostgreSQL restart", inject: func(*testing.T, *run) {}, restarts: 1, no429: true, recovers: true}
	storm := scenario{name: "30 % 429 for 15 s", inject: func(*testing.T, *run) {}, recovers: true}
	good := result{faultHits: 1, rate: 29.5, maxPerSecond: 31, recovery: 2 * time.Second, recoveryMeasured: true, dupBound: 16}
	with := func(f func(*result)) result { r := good; f(&r); return r }
	tests := []struct {
		name  string
		sc    scenario
		res   result
		broke bool
	}{
		{"baseline within bounds", base, good, false},
		{"restart within bounds", restart, with(func(r *result) { r.dups = 16 }), false},
		{"injected 429s are no fault of loa", storm, with(func(r *result) { r.self429, r.maxPerSecond = 3, 40 }), false},
		{"a lost delivery", restart, with(func(r *result) { r.lost = 1 }), true},
		{"one duplicate past the window", restart, with(func(r *result) { r.dups = 17 }), true},
		{"a self-caused 429", base, with(func(r *result) { r.self429 = 1 }), true},
		{"a burst over the ceiling", restart, with(func(r *result) { r.maxPerSecond = 40 }), true},
		{"the baseline slow", base, with(func(r *result) { r.rate = 28 }), true},
		{"full pace late", restart, with(func(r *result) { r.recovery = 11 * time.Second }), true},
		{"full pace never", storm, with(func(r *result) { r.recoveryMeasured = false }), true},
		{"a fault that never reached loa", restart, with(func(r *result) { r.faultHits = 0 }), true},
	}
	for _, tt := range tests {
		if got := tt.res.broken(tt.sc); (len(got) != 0) != tt.broke {
			t.Errorf("%s: broken %q, want broken %v", tt.name, got, tt.broke)
		}
	}
}
