/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-vecmath.h: 8-lane float vectors for the elementwise kernels
 * (private to src/core/ops).
 *
 * Why not plain loops: GCC at -O2 (Debian's default build) only vectorises
 * loops whose trip count is a known multiple of the vector width, and never
 * loops that call expf(). GCC's vector extensions give vector code at any
 * optimisation level and on any architecture; on x86-64 the hot row
 * functions are additionally cloned for AVX2+FMA and AVX-512 (LAMINA_VECTOR_CLONES).
 *
 * Accuracy (checked by tests/test-ops-elementwise.c against libm in double):
 * lamina_v8f_exp within 2e-6 relative over [-80, 80]; sigmoid and tanh
 * within 3e-7 absolute plus 2e-6 relative.
 */
#pragma once

#include <math.h>
#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* 32-byte vectors are only passed between inline functions: the ABI notes
 * GCC gives on SSE2 targets are moot (meson.build passes -Wno-psabi). */

typedef float  LaminaV8f __attribute__ ((vector_size (32)));
typedef gint32 LaminaV8i __attribute__ ((vector_size (32)));

/* Marks a function whose loops are worth vector code: one clone per x86
 * ISA level (x86-64-v3 = AVX2/FMA, v4 = AVX-512; levels, not CPU models),
 * picked at load time. -O2 only vectorises loops whose trip count needs no
 * scalar epilogue, so these functions also ask for the full vectoriser.
 * The one macro for every kernel family (GEMM, convolution, elementwise,
 * reductions). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LAMINA_VECTOR_CLONES \
  __attribute__ ((target_clones ("default", "arch=x86-64-v3", "arch=x86-64-v4"), \
                  optimize ("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define LAMINA_VECTOR_CLONES
#endif

G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_splat (float x)
{
  return (LaminaV8f) { x, x, x, x, x, x, x, x };
}

G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_load (const float *p)
{
  LaminaV8f v;

  memcpy (&v, p, sizeof v);
  return v;
}

G_ALWAYS_INLINE static inline void
lamina_v8f_store (float *p, LaminaV8f v)
{
  memcpy (p, &v, sizeof v);
}

/* The first n < 8 lanes from p; the others are 0. */
G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_load_partial (const float *p, gint64 n)
{
  LaminaV8f v = lamina_v8f_splat (0.0f);

  memcpy (&v, p, n * sizeof (float));
  return v;
}

G_ALWAYS_INLINE static inline void
lamina_v8f_store_partial (float *p, LaminaV8f v, gint64 n)
{
  memcpy (p, &v, n * sizeof (float));
}

/* Lanes of a where mask is set (all bits), of b elsewhere. */
G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_select (LaminaV8i mask, LaminaV8f a, LaminaV8f b)
{
  return (LaminaV8f) ((mask & (LaminaV8i) a) | (~mask & (LaminaV8i) b));
}

/* NaN in a propagates (like fmaxf would not, but like NumPy does). */
G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_max (LaminaV8f a, LaminaV8f b)
{
  return lamina_v8f_select (a < b, b, a);
}

G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_min (LaminaV8f a, LaminaV8f b)
{
  return lamina_v8f_select (a > b, b, a);
}

G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_clamp (LaminaV8f x, float lo, float hi)
{
  return lamina_v8f_min (lamina_v8f_max (x, lamina_v8f_splat (lo)), lamina_v8f_splat (hi));
}

G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_abs (LaminaV8f x)
{
  return (LaminaV8f) ((LaminaV8i) x & 0x7fffffff);
}

/* Applies a scalar function lane by lane (sinf, erff ...): ops that are
 * not worth a vector polynomial still share the vector loop. */
G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_map (LaminaV8f x, float (*f) (float))
{
  for (int i = 0; i < 8; i++)
    x[i] = f (x[i]);
  return x;
}

/* e^x: Cephes' range reduction x = n ln2 + r (ln2 in two parts) and degree-6
 * polynomial; 2^n is built in the exponent bits. Inputs are clamped to the
 * finite range (tiny results flush to ~1e-38); NaN gives NaN. */
G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_exp (LaminaV8f x)
{
  const LaminaV8f magic = lamina_v8f_splat (12582912.0f);  /* 1.5 × 2^23: rounds to integer */
  LaminaV8i nan = x != x;
  LaminaV8f c, n, r, p;
  LaminaV8i e;

  /* below −86.6, e^x < 2.4e-38: flushing there keeps 2^n a normal float */
  c = lamina_v8f_clamp (x, -86.6f, 88.72283f);
  n = (c * 1.44269504088896341f + magic) - magic;
  r = c - n * 0.693359375f + n * 2.12194440e-4f;
  p = lamina_v8f_splat (1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  /* n = 128 only for x ≈ 88.72: split the scale in two to avoid overflow */
  e = (__builtin_convertvector (n, LaminaV8i) + 126) << 23;
  return lamina_v8f_select (nan, x, p * (LaminaV8f) e * 2.0f);
}

G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_sigmoid (LaminaV8f x)
{
  return 1.0f / (1.0f + lamina_v8f_exp (-x));
}

/* tanh as the [13/6] rational approximation Eigen uses, clamped where
 * float tanh is ±1; exact (x) near 0. */
G_ALWAYS_INLINE static inline LaminaV8f
lamina_v8f_tanh (LaminaV8f x)
{
  LaminaV8f c = lamina_v8f_clamp (x, -7.90531110763549805f, 7.90531110763549805f);
  LaminaV8f x2 = c * c, p, q;

  p = lamina_v8f_splat (-2.76076847742355e-16f);
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * c;
  q = lamina_v8f_splat (1.19825839466702e-06f);
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return lamina_v8f_select (lamina_v8f_abs (x) < 0.0004f, x, p / q);
}

G_END_DECLS
