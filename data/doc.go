// Package data reads the image classification data sets that an architecture search and a
// from-scratch training use, splits them as NAS-Bench-201 and DARTS do, augments them and serves
// them as GoMLX tensor batches.
//
// # Data sets
//
// A Dataset is a pair of Sets (Train and Test). A Set holds its images in memory as bytes, NHWC
// (height, width, channels; one byte per value), with an int32 class label per image:
//
//   - CIFAR-10 and CIFAR-100 in the official binary layouts, from the .tar.gz or an extracted
//     folder: ReadCIFAR10, ReadCIFAR100 (CIFAR-100 keeps both fine and coarse labels).
//   - Fashion-MNIST and MNIST from IDX files, gzipped or not: ReadFashionMNIST, ReadMNIST, ReadIDX.
//   - ImageNet16-120 as NAS-Bench-201 distributes it (pickled batches, 16×16), with NB201's class
//     filter: ReadImageNet16(dir, 120).
//   - A sample of Fashion-MNIST compiled into the binary (Embedded), so that everything runs on a
//     fresh machine without a download.
//
// Open finds a data set by name in a data directory (DefaultDir: $GAEA_DATA or a per-user cache
// folder) and, for CIFAR and (Fashion-)MNIST, downloads the official files when they are missing:
// Downloader verifies the publisher's checksum, resumes a broken transfer with an HTTP Range request
// (or restarts it when the server cannot resume) and prints a few progress lines.
//
// Readers never return a short or inconsistent data set: a missing file, a truncated record, a
// wrong magic number, a label out of range or an archive of another data set is a one-line error
// that names the file and the problem.
//
// # Splits
//
// Search makes the architecture-search split: CIFAR-10's 50,000 training images are halved into
// search-train and search-valid (25,000 each); CIFAR-100 and ImageNet16-120 keep the whole training
// set and halve the test set into valid and test, as NB201 does. The halves come from Permutation,
// a Fisher–Yates shuffle driven by SplitMix64 whose exact definition is in its doc comment, so a
// split is reproducible on any platform (and outside Go) from its seed.
//
// # Batches
//
// An Iterator yields Batches: an NHWC float32 image tensor [B, H, W, C] and an int32 label tensor
// [B, 1]. It shuffles every epoch, can run endlessly (the stream the architecture step draws from),
// applies a Transform to each image — random crop with zero padding, horizontal flip, per-channel
// normalisation, cutout — and reports its position as a State, a small JSON-serialisable struct.
// Every random choice derives from (seed, epoch, position), so an iterator restored with SetState
// continues bit-identically, whatever the batch size of the past or the number of workers.
// Batches are built in plain Go: no GoMLX backend is needed to read data.
//
// TrainTransform and TestTransform give the standard pipelines (crop 4 + flip + normalise for
// CIFAR, cutout 16 on request for final training; normalisation only at test time).
package data
