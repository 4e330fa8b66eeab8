/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-convert.c: a conversion is a load into a staging block of double
 * or int64 and a store from it, so every pair of types costs two switch
 * arms, not one per pair. The pairs the simulator meets per inference
 * (float16/bfloat16 ↔ float32) have direct loops.
 */
#define G_LOG_DOMAIN "lamina-ops"

#include <math.h>
#include <string.h>
#include "lamina-convert.h"
#include "graph/lamina-half.h"

#define BLOCK 256

gboolean
lamina_convert_supported (LaminaDType dtype)
{
  switch (dtype)
    {
    case LAMINA_DTYPE_FLOAT32: case LAMINA_DTYPE_FLOAT16: case LAMINA_DTYPE_BFLOAT16:
    case LAMINA_DTYPE_FLOAT64: case LAMINA_DTYPE_INT8: case LAMINA_DTYPE_UINT8:
    case LAMINA_DTYPE_INT16: case LAMINA_DTYPE_UINT16: case LAMINA_DTYPE_INT32:
    case LAMINA_DTYPE_UINT32: case LAMINA_DTYPE_INT64: case LAMINA_DTYPE_UINT64:
    case LAMINA_DTYPE_BOOL:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
is_float (LaminaDType t)
{
  return t == LAMINA_DTYPE_FLOAT32 || t == LAMINA_DTYPE_FLOAT16 || t == LAMINA_DTYPE_BFLOAT16
         || t == LAMINA_DTYPE_FLOAT64;
}

#define LOAD(T, EXPR) { const T *s = src; for (gint64 i = 0; i < n; i++) out[i] = (EXPR); } break

static void
load_double (double *out, const void *src, LaminaDType t, gint64 n)
{
  switch (t)
    {
    case LAMINA_DTYPE_FLOAT32:  LOAD (float, s[i]);
    case LAMINA_DTYPE_FLOAT16:  LOAD (guint16, lamina_half_to_float (s[i]));
    case LAMINA_DTYPE_BFLOAT16: LOAD (guint16, lamina_bfloat16_to_float (s[i]));
    case LAMINA_DTYPE_FLOAT64:  LOAD (double, s[i]);
    case LAMINA_DTYPE_INT8:     LOAD (gint8, s[i]);
    case LAMINA_DTYPE_UINT8:    LOAD (guint8, s[i]);
    case LAMINA_DTYPE_BOOL:     LOAD (guint8, s[i] != 0);
    case LAMINA_DTYPE_INT16:    LOAD (gint16, s[i]);
    case LAMINA_DTYPE_UINT16:   LOAD (guint16, s[i]);
    case LAMINA_DTYPE_INT32:    LOAD (gint32, s[i]);
    case LAMINA_DTYPE_UINT32:   LOAD (guint32, s[i]);
    case LAMINA_DTYPE_INT64:    LOAD (gint64, (double) s[i]);
    case LAMINA_DTYPE_UINT64:   LOAD (guint64, (double) s[i]);
    default: memset (out, 0, n * sizeof *out); break;
    }
}

static void
load_int (gint64 *out, const void *src, LaminaDType t, gint64 n)
{
  switch (t)
    {
    case LAMINA_DTYPE_INT8:   LOAD (gint8, s[i]);
    case LAMINA_DTYPE_UINT8:  LOAD (guint8, s[i]);
    case LAMINA_DTYPE_BOOL:   LOAD (guint8, s[i] != 0);
    case LAMINA_DTYPE_INT16:  LOAD (gint16, s[i]);
    case LAMINA_DTYPE_UINT16: LOAD (guint16, s[i]);
    case LAMINA_DTYPE_INT32:  LOAD (gint32, s[i]);
    case LAMINA_DTYPE_UINT32: LOAD (guint32, s[i]);
    case LAMINA_DTYPE_INT64:  LOAD (gint64, s[i]);
    case LAMINA_DTYPE_UINT64: LOAD (guint64, (gint64) s[i]);
    default: memset (out, 0, n * sizeof *out); break;
    }
}

/* Truncation toward zero without C's undefined behaviour out of range. */
static inline gint64
double_to_int (double x)
{
  if (isnan (x))
    return 0;
  if (x >= 9223372036854775807.0)
    return G_MAXINT64;
  if (x <= -9223372036854775808.0)
    return G_MININT64;
  return (gint64) x;
}

static inline guint64
double_to_uint64 (double x)
{
  if (x >= 18446744073709551615.0)
    return G_MAXUINT64;
  return x >= 9223372036854775808.0 ? (guint64) x : (guint64) double_to_int (x);
}

#define STORE(T, EXPR) { T *d = dst; for (gint64 i = 0; i < n; i++) d[i] = (T) (EXPR); } break

static void
store_double (void *dst, LaminaDType t, const double *in, gint64 n)
{
  switch (t)
    {
    case LAMINA_DTYPE_FLOAT32:  STORE (float, in[i]);
    case LAMINA_DTYPE_FLOAT16:  STORE (guint16, lamina_float_to_half ((float) in[i]));
    case LAMINA_DTYPE_BFLOAT16: STORE (guint16, lamina_float_to_bfloat16 ((float) in[i]));
    case LAMINA_DTYPE_FLOAT64:  STORE (double, in[i]);
    case LAMINA_DTYPE_BOOL:     STORE (guint8, in[i] != 0);
    case LAMINA_DTYPE_INT8:     STORE (gint8, double_to_int (in[i]));
    case LAMINA_DTYPE_UINT8:    STORE (guint8, double_to_int (in[i]));
    case LAMINA_DTYPE_INT16:    STORE (gint16, double_to_int (in[i]));
    case LAMINA_DTYPE_UINT16:   STORE (guint16, double_to_int (in[i]));
    case LAMINA_DTYPE_INT32:    STORE (gint32, double_to_int (in[i]));
    case LAMINA_DTYPE_UINT32:   STORE (guint32, double_to_int (in[i]));
    case LAMINA_DTYPE_INT64:    STORE (gint64, double_to_int (in[i]));
    case LAMINA_DTYPE_UINT64:   STORE (guint64, double_to_uint64 (in[i]));
    default: break;
    }
}

static void
store_int (void *dst, LaminaDType t, const gint64 *in, gint64 n)
{
  switch (t)
    {
    case LAMINA_DTYPE_BOOL:   STORE (guint8, in[i] != 0);
    case LAMINA_DTYPE_INT8:   STORE (gint8, in[i]);
    case LAMINA_DTYPE_UINT8:  STORE (guint8, in[i]);
    case LAMINA_DTYPE_INT16:  STORE (gint16, in[i]);
    case LAMINA_DTYPE_UINT16: STORE (guint16, in[i]);
    case LAMINA_DTYPE_INT32:  STORE (gint32, in[i]);
    case LAMINA_DTYPE_UINT32: STORE (guint32, in[i]);
    case LAMINA_DTYPE_INT64:  STORE (gint64, in[i]);
    case LAMINA_DTYPE_UINT64: STORE (guint64, in[i]);
    default: break;
    }
}

/* The conversions of float16 weights and activations, without staging. */
static gboolean
convert_direct (void *dst, LaminaDType dt, const void *src, LaminaDType st, gint64 n)
{
  if (st == LAMINA_DTYPE_FLOAT16 && dt == LAMINA_DTYPE_FLOAT32)
    {
      const guint16 *s = src;
      float *d = dst;
      for (gint64 i = 0; i < n; i++)
        d[i] = lamina_half_to_float (s[i]);
      return TRUE;
    }
  if (st == LAMINA_DTYPE_FLOAT32 && dt == LAMINA_DTYPE_FLOAT16)
    {
      const float *s = src;
      guint16 *d = dst;
      for (gint64 i = 0; i < n; i++)
        d[i] = lamina_float_to_half (s[i]);
      return TRUE;
    }
  if (st == LAMINA_DTYPE_BFLOAT16 && dt == LAMINA_DTYPE_FLOAT32)
    {
      const guint16 *s = src;
      float *d = dst;
      for (gint64 i = 0; i < n; i++)
        d[i] = lamina_bfloat16_to_float (s[i]);
      return TRUE;
    }
  if (st == LAMINA_DTYPE_FLOAT32 && dt == LAMINA_DTYPE_BFLOAT16)
    {
      const float *s = src;
      guint16 *d = dst;
      for (gint64 i = 0; i < n; i++)
        d[i] = lamina_float_to_bfloat16 (s[i]);
      return TRUE;
    }
  return FALSE;
}

void
lamina_convert (void *dst, LaminaDType dst_type, const void *src, LaminaDType src_type, gint64 n)
{
  gsize ssize = lamina_dtype_size (src_type), dsize = lamina_dtype_size (dst_type);
  gboolean via_int = !is_float (src_type) && !is_float (dst_type);

  if (n <= 0)
    return;
  if (src_type == dst_type)
    {
      if (dst != src)
        memcpy (dst, src, n * ssize);
      return;
    }
  if (convert_direct (dst, dst_type, src, src_type, n))
    return;
  for (gint64 done = 0; done < n; done += BLOCK)
    {
      gint64 m = MIN (BLOCK, n - done);
      const guint8 *s = (const guint8 *) src + done * ssize;
      guint8 *d = (guint8 *) dst + done * dsize;
      if (via_int)
        {
          gint64 stage[BLOCK];
          load_int (stage, s, src_type, m);
          store_int (d, dst_type, stage, m);
        }
      else
        {
          double stage[BLOCK];
          load_double (stage, s, src_type, m);
          store_double (d, dst_type, stage, m);
        }
    }
}

const void *
lamina_convert_view (const LaminaValue *v, LaminaDType to, gpointer *tmp)
{
  if (v->dtype == to)
    return v->data;
  *tmp = g_malloc (MAX (v->numel, 1) * lamina_dtype_size (to));
  lamina_convert (*tmp, to, v->data, v->dtype, v->numel);
  return *tmp;
}
