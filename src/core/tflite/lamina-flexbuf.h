/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-flexbuf.h: reads the top-level map of a FlexBuffer (the format of
 * TFLite custom operator options) into node attributes, one per key.
 * Scalars become INT/FLOAT attributes, short printable strings STRING,
 * numeric vectors INTS/FLOATS; anything else is summarised ("blob of
 * 2469888 bytes", "map of 3 keys"). Nested containers are not descended
 * into, so hostile data cannot recurse.
 */
#pragma once

#include "graph/lamina-graph.h"

G_BEGIN_DECLS

/* Adds the map's entries to `node`. Returns FALSE, adding nothing, when the
 * bytes are not a well-formed FlexBuffer whose root is a map. */
gboolean lamina_flexbuf_map_to_attrs (const guint8 *data, gsize size, LaminaNode *node);

G_END_DECLS
