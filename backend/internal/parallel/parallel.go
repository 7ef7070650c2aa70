// Package parallel runs the parts of a kernel on several goroutines, so that a panic in any part
// reaches the caller's goroutine (where purego turns it into an error) instead of killing the process.
package parallel

import "sync"

// Do runs fn(0), …, fn(parts-1), part 0 on the calling goroutine and the others on new ones, and
// returns when all are done. If any part panics, Do panics with the first such value after all
// parts have finished.
func Do(parts int, fn func(part int)) {
	if parts <= 1 {
		if parts == 1 {
			fn(0)
		}
		return
	}
	var (
		wg      sync.WaitGroup
		once    sync.Once
		problem any
		failed  bool
	)
	run := func(i int) {
		defer func() {
			if r := recover(); r != nil {
				once.Do(func() { problem, failed = r, true })
			}
		}()
		fn(i)
	}
	wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		go func() {
			defer wg.Done()
			run(i)
		}()
	}
	run(0)
	wg.Wait()
	if failed {
		panic(problem)
	}
}
