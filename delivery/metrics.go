package delivery

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the engine's counters. They count what this process did;
// the queue depth is the database's, the same in every process.
type metrics struct {
	sent, retried, rateLimited, blocked, failed, migrated prometheus.Counter
}

func newMetrics(reg prometheus.Registerer, store Store) (*metrics, error) {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "loa", Subsystem: "delivery", Name: name, Help: help})
	}
	m := &metrics{
		sent:        counter("sent_total", "Deliveries sent (all parts of a long text accepted by Telegram)."),
		retried:     counter("retried_total", "Sends that failed for a temporary reason (network, timeout, 5xx) and were rescheduled."),
		rateLimited: counter("rate_limited_total", "Sends Telegram answered with 429 Too Many Requests."),
		blocked:     counter("blocked_total", "Deliveries to chats that blocked or removed the bot (403)."),
		failed:      counter("failed_total", "Deliveries failed for good: a permanent error, or temporary ones for too long."),
		migrated:    counter("migrated_total", "Groups found upgraded to a supergroup and moved to the new id."),
	}
	if reg == nil {
		return m, nil
	}
	depth := &queueDepth{store: store}
	for _, c := range []prometheus.Collector{
		m.sent, m.retried, m.rateLimited, m.blocked, m.failed, m.migrated,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "loa", Subsystem: "delivery", Name: "queue_depth",
			Help: "Deliveries not sent yet (pending, due or not), in the whole database.",
		}, depth.value),
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// queueDepth asks the database at scrape time, at most once a second, and
// shows the last answer if the database does not answer in time.
type queueDepth struct {
	store Store
	mu    sync.Mutex
	at    time.Time
	n     float64
}

func (q *queueDepth) value() float64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if time.Since(q.at) < time.Second {
		return q.n
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if n, err := q.store.PendingDeliveries(ctx); err == nil {
		q.n, q.at = float64(n), time.Now()
	}
	return q.n
}
