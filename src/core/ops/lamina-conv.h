/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-conv.h: the one convolution routine behind ONNX Conv/ConvTranspose
 * and TFLite Conv2D/DepthwiseConv2D/TransposeConv, and the pooling routine
 * behind MaxPool/AveragePool/LpPool and TFLite's pools. Private to
 * src/core/ops.
 *
 * Layouts are element strides, so NCHW and NHWC tensors and OIHW, OHWI,
 * IOHW and 1HWO filters all go through the same arithmetic. Up to three
 * spatial dimensions; unused ones have size 1.
 */
#pragma once

#include "lamina-gemm.h"

G_BEGIN_DECLS

#define LAMINA_CONV_MAX_SPATIAL 3

typedef struct {
  int    nsp;                                  /* spatial dimensions in use (1…3) */
  gint64 batch, cin, cout, group;
  gint64 in[LAMINA_CONV_MAX_SPATIAL];          /* input extent */
  gint64 out[LAMINA_CONV_MAX_SPATIAL];         /* output extent */
  gint64 k[LAMINA_CONV_MAX_SPATIAL];           /* kernel (window) extent */
  gint64 stride[LAMINA_CONV_MAX_SPATIAL];
  gint64 dil[LAMINA_CONV_MAX_SPATIAL];
  gint64 pad[LAMINA_CONV_MAX_SPATIAL];         /* padding at the start */
  /* element strides of x (input), y (output) and w (filter) */
  gint64 x_n, x_c, x_sp[LAMINA_CONV_MAX_SPATIAL];
  gint64 y_n, y_c, y_sp[LAMINA_CONV_MAX_SPATIAL];
  /* Conv: w[o * w_o + i * w_i + ...] with o the output channel and i the
   * input channel within its group; ConvTranspose: i the input channel and
   * o the output channel within its group. */
  gint64 w_o, w_i, w_sp[LAMINA_CONV_MAX_SPATIAL];
  gboolean channels_last;                      /* NHWC x and y (TFLite) */
  float  lo, hi;                               /* fused clamp: -INFINITY/INFINITY for none */
} LaminaConvGeom;

/* Fills the tensor strides of x and y for dense NCHW or NHWC tensors from
 * batch, cin, cout, in, out and nsp. */
void     lamina_conv_geom_dense (LaminaConvGeom *g, gboolean channels_last);

/* Output extent of one spatial dimension with explicit padding; the
 * window's dilated extent must fit into the padded input. */
gint64   lamina_conv_out_size (gint64 in, gint64 k, gint64 stride, gint64 dil,
                               gint64 pad_begin, gint64 pad_end, gboolean ceil_mode);
/* SAME_UPPER / SAME_LOWER / VALID padding of one dimension: sets the
 * padding and returns the output extent. */
gint64   lamina_conv_auto_pad (const char *mode, gint64 in, gint64 k, gint64 stride,
                               gint64 dil, gint64 *pad_begin, gint64 *pad_end);

/* Constant filters packed for the GEMM, one panel set per group; built once
 * in prepare. NULL when the fast path does not use packed filters. */
typedef struct _LaminaConvPacked LaminaConvPacked;
LaminaConvPacked *lamina_conv_pack (const LaminaConvGeom *g, const float *w, gboolean transpose);
void              lamina_conv_packed_free (LaminaConvPacked *packed);

/* y = conv(x, w) + bias, clamped. The reference is plain nested loops; the
 * fast path picks depthwise, 1×1 or im2col + GEMM. `packed` may be NULL. */
void     lamina_conv_reference (const LaminaConvGeom *g, const float *x, const float *w,
                                const float *bias, float *y);
void     lamina_conv_fast      (LaminaParallel *p, const LaminaConvGeom *g, const float *x,
                                const float *w, const LaminaConvPacked *packed,
                                const float *bias, float *y);

/* Transposed convolution (the gradient of conv with respect to its input). */
void     lamina_conv_transpose_reference (const LaminaConvGeom *g, const float *x, const float *w,
                                          const float *bias, float *y);
void     lamina_conv_transpose_fast      (LaminaParallel *p, const LaminaConvGeom *g, const float *x,
                                          const float *w, const LaminaConvPacked *packed,
                                          const float *bias, float *y);

/* Helpers of the direct 2-D paths (dims 0 and 1; dim 2 has size 1). A
 * plane buffer holds lamina_conv_plane_size floats: the input plane padded
 * to cover every window (rows of lamina_conv_plane_width), `fill` outside
 * the input. lamina_conv_window_plane computes the output plane (out[0]
 * rows of out[1] values, each row rounded up to 16: the buffer holds
 * lamina_conv_window_plane_size floats): init plus the taps-weighted sum
 * over each window, or the maximum of init and the window. */
gint64   lamina_conv_plane_size (const LaminaConvGeom *g);
gint64   lamina_conv_plane_width (const LaminaConvGeom *g);
void     lamina_conv_pad_plane (const LaminaConvGeom *g, const float *x, gint64 xs0, gint64 xs1,
                                float fill, float *buf);
gint64   lamina_conv_window_plane_size (const LaminaConvGeom *g);
void     lamina_conv_window_plane (const LaminaConvGeom *g, const float *buf, const float *taps,
                                   gboolean is_max, float init, float *out);

/* Pooling over the same geometry (cin == cout, no filter). */
typedef enum {
  LAMINA_POOL_MAX,
  LAMINA_POOL_AVERAGE,          /* divisor: valid elements */
  LAMINA_POOL_AVERAGE_WITH_PAD, /* divisor: elements inside the padded input */
  LAMINA_POOL_LP,
} LaminaPoolMode;

typedef struct {
  LaminaPoolMode mode;
  double         p;             /* LP */
  gint64         pad_end[LAMINA_CONV_MAX_SPATIAL];  /* AVERAGE_WITH_PAD */
  gboolean       column_major;  /* MaxPool indices in column-major order */
} LaminaPoolParams;

/* indices: NULL, or MaxPool's flat row-major input index per output. The
 * reference checks every window element; the fast path (up to 2-D, no
 * indices) reduces rows of a padded plane. */
void     lamina_pool_reference (const LaminaConvGeom *g, const LaminaPoolParams *params,
                                const float *x, float *y, gint64 *indices);
void     lamina_pool (LaminaParallel *p, const LaminaConvGeom *g, const LaminaPoolParams *params,
                      const float *x, float *y, gint64 *indices);

/* Max pooling of dense 2-D NCHW int8 (is_signed) or uint8 planes, exact
 * on the bytes (lamina_pool on their float values gives the same). */
gboolean lamina_pool_max_bytes_applies (const LaminaConvGeom *g);
void     lamina_pool_max_bytes         (LaminaParallel *p, const LaminaConvGeom *g, const void *x,
                                        gboolean is_signed, void *y);

G_END_DECLS
