package spaces

// The reference code that the preset rows cite, each read at one commit:
//
//	liamcli/gaea_release 16046156 (GAEA's official code; Hydra configs under configs/cnn/)
//	liamcli/AutoDL-Projects faae823c (GAEA's fork of AutoDL, used by gaea_release for NAS-Bench-201)
//	D-X-Y/AutoDL-Projects f46486e2 (NAS-Bench-201's home: configs/nas-benchmark/, exps/NAS-Bench-201-algos/)
//	quark0/darts f276dd34 (DARTS: cnn/train_search.py, cnn/train.py)
//	yuhuixu1993/PC-DARTS b74702f8 (PC-DARTS: train_search.py)
//
// A row's source starts with one of these prefixes, then the file and the key or line.
const (
	RefGAEA    = "liamcli/gaea_release "
	RefAutoDL  = "D-X-Y/AutoDL-Projects "
	RefDARTS   = "quark0/darts "
	RefPCDARTS = "yuhuixu1993/PC-DARTS "
)
