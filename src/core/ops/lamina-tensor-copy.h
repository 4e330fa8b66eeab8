/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-tensor-copy.h: the data-movement routines of the tensor family,
 * private to src/core/ops. Every layout operator reduces to one of them:
 *
 *   permute  — out = transpose (in, perm): Transpose, DepthToSpace,
 *              SpaceToDepth (a reshape around a transpose);
 *   gather   — out[i0..ik] = in[t0[i0], .., tk[ik]] with one index table per
 *              axis, -1 meaning "the fill value": Slice, StridedSlice, Pad
 *              (every mode), Tile, Expand, nearest Resize;
 *   blocks   — n_outer blocks of contiguous bytes between two strides:
 *              Concat, Split, Pack, Unpack.
 *
 * All work on raw bytes (any dtype of a fixed element size) and copy
 * contiguous runs with memcpy; big copies are split over `parallel`.
 */
#pragma once

#include "lamina-value.h"
#include "lamina-parallel.h"

G_BEGIN_DECLS

/* in has rank dims in_dims; out dim i is in dim perm[i]. perm must be a
 * permutation (callers validate). */
void lamina_copy_permute (void *dst, const void *src, int rank, const gint64 *in_dims,
                          const int *perm, gsize elem, LaminaParallel *parallel);
/* The element-by-element reference of lamina_copy_permute, for tests. */
void lamina_copy_permute_reference (void *dst, const void *src, int rank, const gint64 *in_dims,
                                    const int *perm, gsize elem);

/* tables[a] has out_dims[a] entries in [-1, in_dims[a]), or is NULL for the
 * identity (then out_dims[a] == in_dims[a]). fill: one element (elem bytes),
 * used where any axis indexes -1; may be NULL when no table holds -1. */
void lamina_copy_gather (void *dst, const void *src, int rank, const gint64 *out_dims,
                         const gint64 *in_dims, const gint64 *const *tables, gsize elem,
                         const void *fill, LaminaParallel *parallel);
/* The element-by-element reference of lamina_copy_gather, for tests. */
void lamina_copy_gather_reference (void *dst, const void *src, int rank, const gint64 *out_dims,
                                   const gint64 *in_dims, const gint64 *const *tables, gsize elem,
                                   const void *fill);

/* n_outer times: copy `block` bytes from src + o * src_stride to
 * dst + o * dst_stride. */
void lamina_copy_blocks (void *dst, gsize dst_stride, const void *src, gsize src_stride,
                         gint64 n_outer, gsize block, LaminaParallel *parallel);

/* Stores x converted to dtype at dst (lamina_convert's rules). FALSE for
 * dtypes without a numeric value. */
gboolean lamina_store_double (void *dst, LaminaDType dtype, double x);

G_END_DECLS
