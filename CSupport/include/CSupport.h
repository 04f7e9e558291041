// CSupport: the only place Loopdesk's Swift code meets C.
//
// - OpenBLAS (cblas.h) and LAPACKE (lapacke.h), from Debian's libopenblas-dev
//   and liblapacke-dev.
// - Distance kernels (kernels.h) chosen once at start from a cpuid check.
// - Prefetch and the few atomics the index needs on raw memory (memory.h).
// - Element-wise transformer kernels for the embedder (activations.h), and its
//   products against weights packed once (packed_gemm.h).
// - The snapshot writer's forked child (snapshot_child.h).
#ifndef LOOPDESK_CSUPPORT_H
#define LOOPDESK_CSUPPORT_H

#include <cblas.h>
#include <lapacke.h>

#include "kernels.h"
#include "memory.h"
#include "blas_runtime.h"
#include "crc32c.h"
#include "activations.h"
#include "packed_gemm.h"
#include "snapshot_child.h"

#endif
