package parallel

import (
	"sync/atomic"
	"testing"
)

func TestDoRunsEveryPart(t *testing.T) {
	for _, parts := range []int{0, 1, 2, 7} {
		var count atomic.Int64
		seen := make([]atomic.Bool, parts)
		Do(parts, func(i int) {
			count.Add(1)
			seen[i].Store(true)
		})
		if int(count.Load()) != parts {
			t.Errorf("parts=%d: ran %d", parts, count.Load())
		}
		for i := range seen {
			if !seen[i].Load() {
				t.Errorf("parts=%d: part %d not run", parts, i)
			}
		}
	}
}

func TestDoForwardsWorkerPanic(t *testing.T) {
	for _, bad := range []int{0, 3} {
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("bad part %d: recovered %v, want boom", bad, r)
				}
			}()
			Do(4, func(i int) {
				if i == bad {
					panic("boom")
				}
			})
		}()
	}
}
