/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-gemm.h: single-precision matrix product C = A·B (+ epilogue) for
 * the heavy kernels (Conv, ConvTranspose, Gemm, MatMul and their TFLite
 * twins). Private to src/core/ops.
 *
 * The classic blocked scheme (Goto/BLIS): A is cut into panels of MR rows,
 * B into panels of NR columns, K into blocks; each panel is packed
 * (k-major, MR or NR values per k) so the register-blocked micro-kernel
 * reads both operands sequentially. The micro-kernel is chosen once at run
 * time (AVX-512, AVX2+FMA, or portable vector code).
 *
 * An operand is one of
 *   - a strided matrix (any transposition),
 *   - a pack callback (convolutions pack their im2col panels straight from
 *     the input, never materialising the column matrix),
 *   - prepacked data (constant weights packed once at plan time).
 */
#pragma once

#include <glib.h>
#include "lamina-parallel.h"
#include "lamina-vecmath.h"   /* LAMINA_VECTOR_CLONES */

G_BEGIN_DECLS

/* Packs `count` rows of A / columns of B starting at index mn0, for k in
 * [k0, k0 + kc), into consecutive panels of `width` (MR or NR) of them:
 * element (mn0 + t, k0 + k) goes to dst[(t / width) * width * kc +
 * k * width + t % width]; the last panel is padded with zeros. Packing many
 * panels per call lets im2col decode each k once per row of output. */
typedef void (*LaminaGemmPackFunc) (gconstpointer ctx, gint64 mn0, int count, gint64 k0,
                                    gint64 kc, int width, float *dst);

/* A whole operand packed once (constant weights); owned by the kernel's state. */
typedef struct {
  float  *data;
  int     width;              /* MR or NR of the micro-kernel it was packed for */
  gint64  mn, k;
} LaminaGemmPacked;

typedef struct {
  /* exactly one of the three: */
  const LaminaGemmPacked *packed;  /* from lamina_gemm_pack_a/_b */
  LaminaGemmPackFunc pack;    /* + ctx */
  gconstpointer      ctx;
  const float       *data;    /* strided: element (mn, k) at data[mn * s_mn + k * s_k] */
  gint64             s_mn, s_k;
  /* or, for B only: element (n, k) at rows[k][n]; every row stays readable
   * NR floats past column n - 1 (an indirect im2col: shifted views of a
   * padded input, read in place) */
  const float *const *rows;
} LaminaGemmOperand;

/* Strided operands: A[i][k] is element (i, k); B[k][j] is element (j, k). */
LaminaGemmOperand lamina_gemm_matrix_a (const float *a, gint64 rs, gint64 cs);
LaminaGemmOperand lamina_gemm_matrix_b (const float *b, gint64 rs, gint64 cs);

typedef struct {
  const float *bias;         /* NULL, or one value per row (per_row) or column */
  gboolean     bias_per_row;
  float        lo, hi;       /* clamp of the result; -INFINITY / INFINITY: none */
} LaminaGemmEpilogue;

/* Packs a whole A (m × k) or B (k × n, n = columns) for reuse (constant
 * weights: their size is bounded by the model file, so no try-alloc). */
LaminaGemmPacked *lamina_gemm_pack_a (const LaminaGemmOperand *a, gint64 m, gint64 k);
LaminaGemmPacked *lamina_gemm_pack_b (const LaminaGemmOperand *b, gint64 n, gint64 k);
void              lamina_gemm_packed_free (LaminaGemmPacked *packed);
LaminaGemmOperand lamina_gemm_packed (const LaminaGemmPacked *packed);

/* C (m × n, row stride ldc) = A·B, or C += A·B when accumulate; then the
 * epilogue (may be NULL). Work is split over p's threads. */
void         lamina_gemm (LaminaParallel *p, gint64 m, gint64 n, gint64 k,
                          const LaminaGemmOperand *a, const LaminaGemmOperand *b,
                          float *c, gint64 ldc, gboolean accumulate,
                          const LaminaGemmEpilogue *epilogue);

/* The obviously right triple loop with the same contract (tests, and the
 * reference path the fast one is checked against). */
void         lamina_gemm_reference (gint64 m, gint64 n, gint64 k,
                                    const LaminaGemmOperand *a, const LaminaGemmOperand *b,
                                    float *c, gint64 ldc, gboolean accumulate,
                                    const LaminaGemmEpilogue *epilogue);

/* Name of the micro-kernel in use ("avx512", "avx2", "generic"). The
 * environment variable LAMINA_GEMM=generic|avx2|avx512 forces one the CPU
 * supports (tests run every available one). */
const char  *lamina_gemm_kernel_name (void);
/* Switches the micro-kernel (tests and benchmarks only; not thread-safe
 * against running GEMMs; operands packed before must be packed again, a
 * mismatch is caught by lamina_gemm). FALSE if the CPU lacks it. */
gboolean     lamina_gemm_select_kernel (const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LaminaGemmPacked, lamina_gemm_packed_free)

G_END_DECLS
