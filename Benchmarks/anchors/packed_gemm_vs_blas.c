/* The embedder's projection kernel (CSupport/packed_gemm.c, weights packed once)
 * against OpenBLAS's cblas_sgemm (which packs them on every call), one thread,
 * on MiniLM's four projection shapes and 1–256 rows (a question is about a dozen
 * tokens). Prints each product's time, GFLOP/s and the largest difference.
 *   clang -O2 -ICSupport/include Benchmarks/anchors/packed_gemm_vs_blas.c \
 *       CSupport/packed_gemm.c CSupport/kernels.c -lopenblas -lm -o /tmp/packed_gemm_vs_blas
 *   /tmp/packed_gemm_vs_blas                                                    */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "packed_gemm.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *random_floats(size_t n) {
    float *x = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) x[i] = (float)(rand() % 2000 - 1000) / 1000.0f;
    return x;
}

int main(void) {
    openblas_set_num_threads(1);
    const int shapes[][2] = {{384, 1152}, {384, 384}, {384, 1536}, {1536, 384}}; /* k × n: qkv, out, ffn in, ffn out */
    const int rows[] = {1, 12, 24, 48, 96, 256};
    for (int s = 0; s < 4; s++) {
        const int k = shapes[s][0], n = shapes[s][1];
        float *b = random_floats((size_t)k * n);
        float *packed = aligned_alloc(64, ld_packed_count(k, n) * sizeof(float));
        ld_pack_columns_f32(b, k, n, n, packed);
        for (int r = 0; r < 6; r++) {
            const int m = rows[r];
            float *a = random_floats((size_t)m * k);
            float *viaBLAS = calloc((size_t)m * n, sizeof(float)), *viaPacked = calloc((size_t)m * n, sizeof(float));
            const int reps = 200000000 / (m * k * n) + 5;
            const double t0 = now();
            for (int i = 0; i < reps; i++)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 0, viaBLAS, n);
            const double t1 = now();
            for (int i = 0; i < reps; i++) ld_gemm_packed_f32(m, k, a, k, packed, 0, n, viaPacked, n, 0);
            const double t2 = now();
            double worst = 0;
            for (int i = 0; i < m * n; i++) worst = fmax(worst, fabs(viaBLAS[i] - viaPacked[i]));
            const double blas = (t1 - t0) / reps, own = (t2 - t1) / reps, flops = 2.0 * m * n * k;
            printf("k=%4d n=%4d m=%3d  blas %8.1f us  packed %8.1f us  packed/blas %.2f  GFLOP/s %5.1f vs %5.1f  max diff %.2g\n",
                   k, n, m, blas * 1e6, own * 1e6, own / blas, flops / blas / 1e9, flops / own / 1e9, worst);
            free(a);
            free(viaBLAS);
            free(viaPacked);
        }
        free(b);
        free(packed);
    }
    return 0;
}
