package emulator

import (
	"math/rand/v2"
	"sync/atomic"
)

// Faults are failures a test or the fault suite injects into the emulator,
// on top of the limits Telegram itself enforces: an API that answers 5xx
// (Telegram's front ends do during incidents), or a share of calls answered
// 429 as a Telegram under load does. The zero Faults injects nothing.
//
// They apply to the calls that create or edit messages (the ones Limits
// apply to); Down applies to every method, getUpdates and getMe included.
type Faults struct {
	// ServerError, when not 0, is the HTTP status (500, 502, 503, 504)
	// every message-creating or -editing call answers, with Telegram's
	// error shape; nothing is sent.
	ServerError int
	// Down makes every method answer ServerError (502 when ServerError is
	// 0): the API as a whole is unreachable behind its front end.
	Down bool
	// RateLimitFraction of the message-creating calls (0–1), drawn at
	// random, answer 429 with RetryAfter seconds (at least 1).
	RateLimitFraction float64
	RetryAfter        int
}

// SetFaults changes the injected faults from now on; the zero Faults ends
// them.
func (s *Server) SetFaults(f Faults) {
	if f.Down && f.ServerError == 0 {
		f.ServerError = 502
	}
	if f.RetryAfter < 1 {
		f.RetryAfter = 1
	}
	s.faults.Store(&f)
}

// InjectedTooManyRequests is the number of 429 answers that were injected
// (SetFaults, ForceRetryAfter) rather than caused by the bot exceeding the
// Limits.
func (s *Server) InjectedTooManyRequests() int { return int(s.injected429.Load()) }

// SelfCausedTooManyRequests is the number of 429 answers the bot caused by
// exceeding the Limits: a well-paced bot keeps it at zero.
func (s *Server) SelfCausedTooManyRequests() int {
	return s.TooManyRequests() - s.InjectedTooManyRequests()
}

// ServerErrors is the number of injected 5xx answers given so far.
func (s *Server) ServerErrors() int { return int(s.serverErrors.Load()) }

// faultState is the part of Server that faults.go owns.
type faultState struct {
	faults       atomic.Pointer[Faults]
	injected429  atomic.Int64
	serverErrors atomic.Int64
}

var statusText = map[int]string{
	500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}

func serverError(code int) *apiError {
	desc, ok := statusText[code]
	if !ok {
		desc = "Internal Server Error"
	}
	return &apiError{code: code, desc: desc}
}

// downError is the answer of every method while the API is Down, or nil.
func (s *Server) downError() *apiError {
	f := s.faults.Load()
	if f == nil || !f.Down {
		return nil
	}
	s.serverErrors.Add(1)
	return serverError(f.ServerError)
}

// sendFault is the injected answer of a message-creating call, or nil.
func (s *Server) sendFault() *apiError {
	f := s.faults.Load()
	if f == nil {
		return nil
	}
	if f.ServerError != 0 {
		s.serverErrors.Add(1)
		return serverError(f.ServerError)
	}
	if f.RateLimitFraction > 0 && rand.Float64() < f.RateLimitFraction {
		s.injected429.Add(1)
		return tooManyRequests(f.RetryAfter)
	}
	return nil
}
