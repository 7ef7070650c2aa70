package data

// splitmix64 is the whole pseudo-random generator of this package: every permutation, every
// split and every augmentation draw comes from it, so that the same seed gives the same bits on
// every platform and Go version. It is Steele, Lea and Flood's SplitMix64 (the seeding generator
// of xoshiro): the state advances by the golden-ratio constant and the output is a mixed copy.
type splitmix64 uint64

const golden = 0x9e3779b97f4a7c15

func (s *splitmix64) next() uint64 {
	*s += golden
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns next() % n (n > 0). The modulo bias is below 2⁻⁴⁰ for the sizes used here and keeps
// the definition reproducible in one line of any language.
func (s *splitmix64) intn(n int) int { return int(s.next() % uint64(n)) }

// Mix derives a new seed from a seed and a counter: the first output of SplitMix64 started at
// seed ^ (counter·0x9e3779b97f4a7c15 + 0x632be59bd9b4e019). Exactly:
//
//	s := seed ^ (counter*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019)
//	return splitmix64(&s)   // one step: s += 0x9e3779b97f4a7c15, then the SplitMix64 finaliser
//
// Iterators use Mix(Mix(seed, epoch), position) for the augmentation draws of the image at a given
// position of an epoch, and Mix(seed, epoch) for the permutation of an epoch.
func Mix(seed, counter uint64) uint64 {
	s := splitmix64(seed ^ (counter*golden + 0x632be59bd9b4e019))
	return s.next()
}

// Permutation returns a permutation of 0..n-1 determined by seed alone, by the Fisher–Yates
// shuffle driven by SplitMix64:
//
//	p := [0, 1, …, n-1]; s := seed
//	for i := n-1; i > 0; i-- {
//	    s += 0x9e3779b97f4a7c15; z := s
//	    z = (z ^ z>>30) * 0xbf58476d1ce4e5b9; z = (z ^ z>>27) * 0x94d049bb133111eb; z ^= z>>31
//	    j := z % (i+1)
//	    p[i], p[j] = p[j], p[i]
//	}
//
// (all arithmetic on uint64, wrapping). The same definition in Python or C gives the same list.
func Permutation(n int, seed uint64) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	s := splitmix64(seed)
	for i := n - 1; i > 0; i-- {
		j := s.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}
