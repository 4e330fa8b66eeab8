/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-tflite.c: the TFLite reader: its flatbuffer accessor on hand-made
 * buffers, small hand-built models for each feature and error, and every
 * .tflite of ../shared/models.
 *
 * Expected values for the shared models were computed independently of
 * Lamina: Debian's flatc (flatbuffers-compiler 2.0.8) turned each file into
 * JSON with a transcription of TFLite's schema.fbs
 *   flatc --json --strict-json --defaults-json --raw-binary schema.fbs -- MODEL
 * and a throwaway /usr/bin/python3 script counted operators (builtin code =
 * max(deprecated_builtin_code, builtin_code)), constant tensors and read the
 * inputs/outputs. The same JSON was diffed against a dump of Lamina's IR
 * (every tensor's name, dtype, shape, data size and quantization, every
 * operator's type, inputs, outputs and options): no difference.
 */
#define G_LOG_DOMAIN "lamina-test"

#include <string.h>
#include "lamina-model-load.h"
#include "tflite/lamina-flatbuf.h"
#include "tflite/lamina-flexbuf.h"
#include "tflite/lamina-tflite.h"
#include "tflite/lamina-tflite-private.h"
#include "lamina-test-util.h"

/* ---- a tiny flatbuffer builder ------------------------------------------
 * Objects are written front to back; a parent's offset fields are patched
 * once the child (always written later, as uoffsets point forward) exists. */

typedef struct {
  GByteArray *b;
} Builder;

typedef struct {
  guint    id;
  guint    size;    /* 1, 2, 4 or 8 bytes */
  guint64  value;   /* little-endian bits */
  gsize   *slot;    /* when set: an offset to patch later, receives its position */
} Field;

static guint64
f32_bits (float f)
{
  guint32 u;

  memcpy (&u, &f, 4);
  return u;
}

static void
b_init (Builder *b)
{
  b->b = g_byte_array_new ();
  g_byte_array_append (b->b, (const guint8 *) "\0\0\0\0TFL3", 8);
}

static void
b_align (Builder *b, guint a)
{
  static const guint8 zero[16] = { 0 };

  if (b->b->len % a)
    g_byte_array_append (b->b, zero, a - b->b->len % a);
}

static gsize
b_put (Builder *b, guint64 value, guint size)
{
  gsize at = b->b->len;
  guint8 bytes[8];

  for (guint i = 0; i < size; i++)
    bytes[i] = (guint8) (value >> (8 * i));
  g_byte_array_append (b->b, bytes, size);
  return at;
}

static void
b_set32 (Builder *b, gsize at, guint32 value)
{
  for (guint i = 0; i < 4; i++)
    b->b->data[at + i] = (guint8) (value >> (8 * i));
}

static void
b_patch (Builder *b, gsize slot, gsize target)
{
  b_set32 (b, slot, (guint32) (target - slot));
}

static gsize
b_table (Builder *b, const Field *fields, guint n)
{
  guint max_id = 0, off = 4;
  guint16 vt[64] = { 0 };
  gsize vpos, tpos;

  for (guint i = 0; i < n; i++)
    max_id = MAX (max_id, fields[i].id);
  for (guint i = 0; i < n; i++)
    {
      vt[2 + fields[i].id] = (guint16) off;
      off += fields[i].size;
    }
  vt[0] = (guint16) ((max_id + 3) * 2);
  vt[1] = (guint16) off;
  b_align (b, 4);
  vpos = b->b->len;
  for (guint i = 0; i < max_id + 3; i++)
    b_put (b, vt[i], 2);
  b_align (b, 4);
  tpos = b->b->len;
  b_put (b, tpos - vpos, 4);
  for (guint i = 0; i < n; i++)
    {
      gsize at = b_put (b, fields[i].value, fields[i].size);
      if (fields[i].slot)
        *fields[i].slot = at;
    }
  return tpos;
}

static gsize
b_vector (Builder *b, guint elem_size, guint n, const guint64 *values)
{
  gsize at;

  b_align (b, 4);
  at = b_put (b, n, 4);
  for (guint i = 0; i < n; i++)
    b_put (b, values[i], elem_size);
  return at;
}

/* A vector of offsets: slots[i] receives the position to patch. */
static gsize
b_vector_refs (Builder *b, guint n, gsize *slots)
{
  gsize at;

  b_align (b, 4);
  at = b_put (b, n, 4);
  for (guint i = 0; i < n; i++)
    slots[i] = b_put (b, 0, 4);
  return at;
}

static gsize
b_string (Builder *b, const char *s)
{
  gsize at;

  b_align (b, 4);
  at = b_put (b, strlen (s), 4);
  g_byte_array_append (b->b, (const guint8 *) s, strlen (s) + 1);
  return at;
}

static GBytes *
b_finish (Builder *b, gsize root)
{
  b_patch (b, 0, root);
  return g_byte_array_free_to_bytes (b->b);
}

/* ---- the flatbuffer accessor ------------------------------------------- */

/* root → table { 0: int32 = -7, 1: string "hi", 2: [int32] {1,2,3}, 3: table { 0: uint8 = 9 } } */
static GBytes *
make_accessor_buffer (gsize *vector_at, gsize *string_at)
{
  Builder b;
  gsize s_slot, v_slot, t_slot, root, str, vec, sub;
  static const guint64 values[] = { 1, 2, 3 };

  b_init (&b);
  root = b_table (&b, (Field[]) {
    { 0, 4, (guint32) -7, NULL }, { 1, 4, 0, &s_slot }, { 2, 4, 0, &v_slot }, { 3, 4, 0, &t_slot },
  }, 4);
  str = b_string (&b, "hi");
  vec = b_vector (&b, 4, 3, values);
  sub = b_table (&b, (Field[]) { { 0, 1, 9, NULL } }, 1);
  b_patch (&b, s_slot, str);
  b_patch (&b, v_slot, vec);
  b_patch (&b, t_slot, sub);
  *vector_at = vec;
  *string_at = str;
  return b_finish (&b, root);
}

static void
test_fb_valid (void)
{
  gsize vec_at, str_at, size, len;
  g_autoptr(GBytes) bytes = make_accessor_buffer (&vec_at, &str_at);
  const guint8 *data = g_bytes_get_data (bytes, &size);
  g_autofree guint8 *odd = g_malloc (size + 1);
  LaminaFb fb;
  LaminaFbTable root, sub;
  LaminaFbVector vec;

  /* at an odd address, so an unaligned dereference would trip UBSan */
  memcpy (odd + 1, data, size);
  lamina_fb_init (&fb, odd + 1, size);
  g_assert_true (lamina_fb_root (&fb, &root));
  g_assert_cmpint (lamina_fb_get_int (&root, 0, LAMINA_FB_INT32, 0), ==, -7);
  g_assert_cmpstr (lamina_fb_get_string (&root, 1, &len), ==, "hi");
  g_assert_cmpuint (len, ==, 2);
  g_assert_true (lamina_fb_get_vector (&root, 2, 4, &vec));
  g_assert_cmpuint (vec.len, ==, 3);
  g_assert_cmpint (lamina_fb_vector_int (&vec, 2, LAMINA_FB_INT32), ==, 3);
  g_assert_true (lamina_fb_get_table (&root, 3, &sub));
  g_assert_cmpint (lamina_fb_get_int (&sub, 0, LAMINA_FB_UINT8, 0), ==, 9);
  /* absent fields give their defaults and are no error */
  g_assert_cmpint (lamina_fb_get_int (&root, 9, LAMINA_FB_INT32, 42), ==, 42);
  g_assert_cmpfloat (lamina_fb_get_float (&sub, 5, LAMINA_FB_FLOAT32, 1.5), ==, 1.5);
  g_assert_null (lamina_fb_get_string (&sub, 3, NULL));
  g_assert_false (lamina_fb_get_vector (&sub, 1, 4, &vec));
  g_assert_cmpuint (vec.len, ==, 0);
  g_assert_false (lamina_fb_has_field (&root, 7));
  g_assert_false (lamina_fb_failed (&fb));
  lamina_fb_clear (&fb);
}

/* Corrupts a copy of the accessor buffer with `poke`, then reads it all and
 * expects an error whose message contains `expect`. */
typedef void (*PokeFunc) (guint8 *data, gsize size, gsize vec_at, gsize str_at);

static void
expect_fb_error (PokeFunc poke, const char *expect)
{
  gsize vec_at, str_at, size;
  g_autoptr(GBytes) bytes = make_accessor_buffer (&vec_at, &str_at);
  g_autofree guint8 *data = NULL;
  LaminaFb fb;
  LaminaFbTable root, sub;
  LaminaFbVector vec;

  size = g_bytes_get_size (bytes);
  data = g_memdup2 (g_bytes_get_data (bytes, NULL), size);
  poke (data, size, vec_at, str_at);
  lamina_fb_init (&fb, data, size);
  if (lamina_fb_root (&fb, &root))
    {
      lamina_fb_get_int (&root, 0, LAMINA_FB_INT32, 0);
      lamina_fb_get_string (&root, 1, NULL);
      lamina_fb_get_vector (&root, 2, 4, &vec);
      lamina_fb_get_table (&root, 3, &sub);
    }
  g_assert_true (lamina_fb_failed (&fb));
  g_assert_error (fb.error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_CORRUPT);
  if (strstr (fb.error->message, expect) == NULL)
    g_error ("“%s” does not mention “%s”", fb.error->message, expect);
  lamina_fb_clear (&fb);
}

static void
poke_root (guint8 *d, gsize size, gsize vec_at, gsize str_at)
{
  d[0] = 0xf0;  /* root offset far past the end */
  d[1] = 0xff;
}

static void
poke_vtable_offset (guint8 *d, gsize size, gsize vec_at, gsize str_at)
{
  gsize root = d[0];

  d[root] = 0xff;  /* soffset to a vtable far past the end */
  d[root + 1] = 0xff;
  d[root + 2] = 0xff;
  d[root + 3] = 0x80;
}

static void
poke_vtable_size (guint8 *d, gsize size, gsize vec_at, gsize str_at)
{
  gsize root = d[0], vtable = root - d[root];

  d[vtable] = 7;  /* odd vtable size */
}

static void
poke_field_past_table (guint8 *d, gsize size, gsize vec_at, gsize str_at)
{
  gsize root = d[0], vtable = root - d[root];

  d[vtable + 4] = 200;  /* field 0 lies beyond the table's size */
}

static void
poke_vector_length (guint8 *d, gsize size, gsize vec_at, gsize str_at)
{
  d[vec_at + 2] = 1;  /* 65539 elements in a tiny buffer */
}

static void
poke_string_nul (guint8 *d, gsize size, gsize vec_at, gsize str_at)
{
  d[str_at + 6] = '!';  /* overwrite the terminating NUL of "hi" */
}

static void
test_fb_errors (void)
{
  expect_fb_error (poke_root, "outside the file");
  expect_fb_error (poke_vtable_offset, "vtable");
  expect_fb_error (poke_vtable_size, "invalid vtable size");
  expect_fb_error (poke_field_past_table, "runs past the table");
  expect_fb_error (poke_vector_length, "runs past the end");
  expect_fb_error (poke_string_nul, "not NUL-terminated");
}

/* 80 tables, each pointing at the next: following them must stop at the
 * nesting limit instead of recursing as deep as the file says. */
static void
test_fb_depth (void)
{
  Builder b;
  gsize slot, first = 0, prev_slot = 0;
  g_autoptr(GBytes) bytes = NULL;
  LaminaFb fb;
  LaminaFbTable t;
  guint depth = 0;

  b_init (&b);
  for (guint i = 0; i < 80; i++)
    {
      gsize at = b_table (&b, (Field[]) { { 0, 4, 0, &slot } }, 1);
      if (i == 0)
        first = at;
      else
        b_patch (&b, prev_slot, at);
      prev_slot = slot;
    }
  b_set32 (&b, prev_slot, 0);  /* the last one ends the chain: null offset */
  bytes = b_finish (&b, first);
  lamina_fb_init (&fb, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_true (lamina_fb_root (&fb, &t));
  while (lamina_fb_get_table (&t, 0, &t))
    depth++;
  g_assert_cmpuint (depth, ==, LAMINA_FB_MAX_DEPTH);
  g_assert_nonnull (strstr (fb.error->message, "nested deeper"));
  lamina_fb_clear (&fb);
}

/* {"a": 1, "s": "xyz"} as FlexBuffers lays it out, byte by byte. */
static void
test_flexbuf (void)
{
  static const guint8 map[] = {
    'a', 0, 's', 0,          /* 0: keys */
    2, 5, 4,                 /* 4: keys vector: length 2, offsets back to "a", "s" */
    3, 'x', 'y', 'z', 0,     /* 7: string: length 3, bytes, NUL */
    7, 1, 2,                 /* 12: map prefix: keys vector offset, key width, length */
    1, 8,                    /* 15: values: 1, offset back to "xyz" */
    (1 << 2), (5 << 2),      /* 17: types: INT, STRING (8-bit) */
    4, (9 << 2), 1,          /* 19: root: offset back to the map, MAP, byte width 1 */
  };
  g_autoptr(LaminaGraph) g = lamina_graph_new ("g");
  LaminaNode *node = lamina_graph_add_node (g, "n", "Custom", "");

  g_assert_true (lamina_flexbuf_map_to_attrs (map, sizeof map, node));
  g_assert_cmpint (lamina_node_get_int (node, "a", -1), ==, 1);
  g_assert_cmpstr (lamina_node_get_string (node, "s", NULL), ==, "xyz");
  /* every truncation is rejected without adding anything */
  for (gsize n = 0; n < sizeof map; n++)
    {
      LaminaNode *other = lamina_graph_add_node (g, "m", "Custom", "");
      if (lamina_flexbuf_map_to_attrs (map + sizeof map - n, n, other))
        g_assert_cmpuint (other->attrs->len, >, 0);
      else
        g_assert_cmpuint (other->attrs->len, ==, 0);
    }
}

/* ---- hand-built models ------------------------------------------------- */

typedef struct {
  guint32      version;
  gint8        deprecated_code;   /* OperatorCode.deprecated_builtin_code */
  gint32       builtin_code;      /* OperatorCode.builtin_code, 0 = absent */
  const char  *custom_code;
  gint32       input_index;       /* the operator's second input */
  guint        n_scales;          /* quantization of tensor 2 (0 = none) */
  guint        n_zero_points;
  gboolean     external_buffer;   /* Buffer.offset/size instead of data */
  gboolean     signature;         /* tensor 0 gets shape_signature [-1, 4] */
} Spec;

static const Spec base_spec = { 3, 0, 0, NULL, 2, 0, 0, FALSE, FALSE };

/* Tensor i of the tiny model: name, TensorType, buffer index. */
static gsize
b_tensor (Builder *b, const Spec *spec, guint i)
{
  static const char *const names[] = { "x", "y", "w" };
  static const guint64 shape[] = { 1, 4 };
  static const guint64 signature[] = { (guint32) -1, 4 };
  gsize name_slot, shape_slot, q_slot = 0, sig_slot = 0, t, q;
  gboolean quant = i == 2 && spec->n_scales > 0, sig = i == 0 && spec->signature;
  Field fields[6] = {
    { 0, 4, 0, &shape_slot }, { 1, 1, 0, NULL }, { 2, 4, i == 2 ? 1 : 0, NULL },
    { 3, 4, 0, &name_slot },
  };
  guint n = 4;

  if (quant)
    fields[n++] = (Field) { 4, 4, 0, &q_slot };
  if (sig)
    fields[n++] = (Field) { 7, 4, 0, &sig_slot };
  t = b_table (b, fields, n);
  b_patch (b, shape_slot, b_vector (b, 4, 2, shape));
  b_patch (b, name_slot, b_string (b, names[i]));
  if (sig)
    b_patch (b, sig_slot, b_vector (b, 4, 2, signature));
  if (quant)
    {
      guint64 scales[8], zps[8];
      gsize s_slot, z_slot;
      for (guint k = 0; k < 8; k++)
        {
          scales[k] = f32_bits (0.5f * (k + 1));
          zps[k] = k;
        }
      q = b_table (b, (Field[]) {
        { 2, 4, 0, &s_slot }, { 3, 4, 0, &z_slot }, { 6, 4, 1, NULL },
      }, 3);
      b_patch (b, s_slot, b_vector (b, 4, spec->n_scales, scales));
      b_patch (b, z_slot, b_vector (b, 8, spec->n_zero_points, zps));
      b_patch (b, q_slot, q);
    }
  return t;
}

/* x[1,4] + w[1,4] (constant, 4 floats) → y, through one operator, with
 * AddOptions { fused_activation_function: RELU6 }. */
static GBytes *
build_model (const Spec *spec)
{
  Builder b;
  gsize model, m_slots[5], opc_slots[1], sg_slots[1], t_slots[3], op_slots[1], buf_slots[2];
  gsize sg, sg_fields[4], op, op_fields[3], opc, opc_fields[1] = { 0 }, buf, data_slot, off_slot;
  guint64 io_in[] = { 0 }, io_out[] = { 1 };
  guint64 op_in[] = { 0, (guint32) spec->input_index }, op_out[] = { 1 };
  static const guint64 weights[] = { 0, 0, 0x3f800000, 0x40000000 };  /* 0, 0, 1, 2 as float32 */
  Field opc_f[3] = { { 0, 1, (guint8) spec->deprecated_code, NULL } };
  guint n_opc = 1;

  b_init (&b);
  model = b_table (&b, (Field[]) {
    { 0, 4, spec->version, NULL }, { 1, 4, 0, &m_slots[0] }, { 2, 4, 0, &m_slots[1] },
    { 3, 4, 0, &m_slots[2] }, { 4, 4, 0, &m_slots[3] },
  }, 5);
  /* operator codes */
  b_patch (&b, m_slots[0], b_vector_refs (&b, 1, opc_slots));
  if (spec->custom_code)
    opc_f[n_opc++] = (Field) { 1, 4, 0, &opc_fields[0] };
  if (spec->builtin_code)
    opc_f[n_opc++] = (Field) { 3, 4, (guint32) spec->builtin_code, NULL };
  opc = b_table (&b, opc_f, n_opc);
  b_patch (&b, opc_slots[0], opc);
  if (spec->custom_code)
    b_patch (&b, opc_fields[0], b_string (&b, spec->custom_code));
  /* the subgraph */
  b_patch (&b, m_slots[1], b_vector_refs (&b, 1, sg_slots));
  sg = b_table (&b, (Field[]) {
    { 0, 4, 0, &sg_fields[0] }, { 1, 4, 0, &sg_fields[1] }, { 2, 4, 0, &sg_fields[2] },
    { 3, 4, 0, &sg_fields[3] },
  }, 4);
  b_patch (&b, sg_slots[0], sg);
  b_patch (&b, sg_fields[0], b_vector_refs (&b, 3, t_slots));
  for (guint i = 0; i < 3; i++)
    b_patch (&b, t_slots[i], b_tensor (&b, spec, i));
  b_patch (&b, sg_fields[1], b_vector (&b, 4, 1, io_in));
  b_patch (&b, sg_fields[2], b_vector (&b, 4, 1, io_out));
  b_patch (&b, sg_fields[3], b_vector_refs (&b, 1, op_slots));
  op = b_table (&b, (Field[]) {
    { 1, 4, 0, &op_fields[0] }, { 2, 4, 0, &op_fields[1] }, { 3, 1, 11, NULL },  /* AddOptions */
    { 4, 4, 0, &op_fields[2] },
  }, 4);
  b_patch (&b, op_slots[0], op);
  b_patch (&b, op_fields[0], b_vector (&b, 4, 2, op_in));
  b_patch (&b, op_fields[1], b_vector (&b, 4, 1, op_out));
  b_patch (&b, op_fields[2], b_table (&b, (Field[]) { { 0, 1, 3, NULL } }, 1));
  /* description and buffers: the empty sentinel, then the weights */
  b_patch (&b, m_slots[2], b_string (&b, "hand-built"));
  b_patch (&b, m_slots[3], b_vector_refs (&b, 2, buf_slots));
  b_patch (&b, buf_slots[0], b_table (&b, NULL, 0));
  if (spec->external_buffer)
    {
      buf = b_table (&b, (Field[]) { { 1, 8, 0, &off_slot }, { 2, 8, 16, NULL } }, 2);
      b_patch (&b, buf_slots[1], buf);
      b_align (&b, 16);
      b_set32 (&b, off_slot, b.b->len);  /* absolute offset, after the flatbuffer */
      for (guint i = 0; i < 4; i++)
        b_put (&b, weights[i], 4);
    }
  else
    {
      buf = b_table (&b, (Field[]) { { 0, 4, 0, &data_slot } }, 1);
      b_patch (&b, buf_slots[1], buf);
      b_align (&b, 4);
      b_patch (&b, data_slot, b_put (&b, 16, 4));
      for (guint i = 0; i < 4; i++)
        b_put (&b, weights[i], 4);
    }
  return b_finish (&b, model);
}

static LaminaModel *
load_spec (const Spec *spec, GError **error)
{
  g_autoptr(GBytes) bytes = build_model (spec);

  return lamina_model_load_bytes (bytes, "/some/dir/tiny.tflite", error);
}

static void
test_tiny_model (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = load_spec (&base_spec, &error);
  LaminaNode *node;
  LaminaTensor *w;
  gsize size;
  const guint8 *file;

  g_assert_no_error (error);
  g_assert_cmpint (model->format, ==, LAMINA_FORMAT_TFLITE);
  g_assert_cmpint (model->kind, ==, LAMINA_KIND_FLOAT);
  g_assert_cmpstr (model->format_version, ==, "TFLite v3");
  g_assert_cmpstr (model->description, ==, "hand-built");
  g_assert_cmpuint (model->graphs->len, ==, 1);
  g_assert_cmpstr (model->graph->name, ==, "main");
  node = g_ptr_array_index (model->graph->nodes, 0);
  g_assert_cmpstr (node->op_type, ==, "Add");
  g_assert_false (node->is_custom);
  g_assert_cmpstr (node->name, ==, "y");
  g_assert_cmpstr (lamina_node_get_string (node, "fused_activation_function", NULL), ==, "RELU6");
  g_assert_cmpint (lamina_node_get_int (node, "pot_scale_int16", -1), ==, 1);  /* schema default */
  w = g_ptr_array_index (node->inputs, 1);
  g_assert_cmpstr (w->name, ==, "w");
  g_assert_true (w->is_constant);
  g_assert_cmpint (w->dtype, ==, LAMINA_DTYPE_FLOAT32);
  g_assert_cmpuint (g_bytes_get_size (w->data), ==, 16);
  /* the weights are a slice of the file, not a copy */
  file = g_bytes_get_data (model->file_data, &size);
  g_assert_true ((const guint8 *) g_bytes_get_data (w->data, NULL) >= file &&
                 (const guint8 *) g_bytes_get_data (w->data, NULL) + 16 <= file + size);
  g_assert_cmpfloat (((const float *) g_bytes_get_data (w->data, NULL))[3], ==, 2.0f);
  g_assert_cmpuint (model->graph->inputs->len, ==, 1);
  g_assert_true (w->consumers->len == 1 && g_ptr_array_index (w->consumers, 0) == node);
  g_assert_true (((LaminaTensor *) g_ptr_array_index (model->graph->outputs, 0))->producer == node);
}

static void
test_tiny_opcodes (void)
{
  /* old files: only the int8 field */
  Spec relu = base_spec, gelu = base_spec, custom = base_spec, unknown = base_spec;
  g_autoptr(LaminaModel) m1 = NULL, m2 = NULL, m3 = NULL, m4 = NULL;
  LaminaNode *n;

  relu.deprecated_code = 19;
  m1 = load_spec (&relu, NULL);
  g_assert_cmpstr (((LaminaNode *) m1->graph->nodes->pdata[0])->op_type, ==, "Relu");
  /* new files: placeholder 127 in the old field, the real code in the new one */
  gelu.deprecated_code = 127;
  gelu.builtin_code = 150;
  m2 = load_spec (&gelu, NULL);
  g_assert_cmpstr (((LaminaNode *) m2->graph->nodes->pdata[0])->op_type, ==, "Gelu");
  custom.deprecated_code = 32;
  custom.custom_code = "MyVendorOp";
  m3 = load_spec (&custom, NULL);
  n = m3->graph->nodes->pdata[0];
  g_assert_cmpstr (n->op_type, ==, "MyVendorOp");
  g_assert_true (n->is_custom);
  /* a code newer than Lamina's table still loads */
  unknown.deprecated_code = 127;
  unknown.builtin_code = 4000;
  m4 = load_spec (&unknown, NULL);
  g_assert_cmpstr (((LaminaNode *) m4->graph->nodes->pdata[0])->op_type, ==, "Builtin4000");
}

static void
test_tiny_builtin_names (void)
{
  /* the table covers every code of the schema, in order */
  g_assert_cmpstr (lamina_tflite_builtin_name (0), ==, "Add");
  g_assert_cmpstr (lamina_tflite_builtin_name (3), ==, "Conv2D");
  g_assert_cmpstr (lamina_tflite_builtin_name (4), ==, "DepthwiseConv2D");
  g_assert_cmpstr (lamina_tflite_builtin_name (9), ==, "FullyConnected");
  g_assert_cmpstr (lamina_tflite_builtin_name (97), ==, "ResizeNearestNeighbor");
  g_assert_cmpstr (lamina_tflite_builtin_name (114), ==, "Quantize");
  g_assert_cmpstr (lamina_tflite_builtin_name (126), ==, "BatchMatMul");
  g_assert_cmpstr (lamina_tflite_builtin_name (207), ==, "Complex");
  g_assert_null (lamina_tflite_builtin_name (208));
  g_assert_null (lamina_tflite_builtin_name (-1));
  for (gint64 code = 0; code < 208; code++)
    g_assert_nonnull (lamina_tflite_builtin_name (code));
}

static void
test_tiny_features (void)
{
  Spec external = base_spec, quant = base_spec, sig = base_spec;
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) m1 = NULL, m2 = NULL, m3 = NULL;
  LaminaTensor *w, *x;

  /* large models keep buffer data after the flatbuffer (Buffer.offset/size) */
  external.external_buffer = TRUE;
  m1 = load_spec (&external, &error);
  g_assert_no_error (error);
  w = lamina_graph_lookup_tensor (m1->graph, "w");
  g_assert_cmpuint (g_bytes_get_size (w->data), ==, 16);
  g_assert_cmpfloat (((const float *) g_bytes_get_data (w->data, NULL))[2], ==, 1.0f);
  /* per-axis quantization along dimension 1 (size 4) */
  quant.n_scales = quant.n_zero_points = 4;
  m2 = load_spec (&quant, &error);
  g_assert_no_error (error);
  w = lamina_graph_lookup_tensor (m2->graph, "w");
  g_assert_nonnull (w->quant);
  g_assert_cmpint (w->quant->axis, ==, 1);
  g_assert_cmpuint (w->quant->n, ==, 4);
  g_assert_cmpfloat (w->quant->scale[3], ==, 2.0f);
  g_assert_cmpint (w->quant->zero_point[3], ==, 3);
  /* shape_signature: -1 marks a dynamic dimension */
  sig.signature = TRUE;
  m3 = load_spec (&sig, &error);
  g_assert_no_error (error);
  x = lamina_graph_lookup_tensor (m3->graph, "x");
  g_assert_cmpint (x->shape.rank, ==, 2);
  g_assert_cmpint (x->shape.dims[0].value, ==, -1);
  g_assert_cmpint (x->shape.dims[1].value, ==, 4);
}

static void
expect_load_error (const Spec *spec, LaminaLoadError code, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = load_spec (spec, &error);

  g_assert_null (model);
  g_assert_error (error, LAMINA_LOAD_ERROR, (int) code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_tiny_errors (void)
{
  Spec bad_input = base_spec, scales = base_spec, zero_points = base_spec, version = base_spec;

  bad_input.input_index = 900;
  expect_load_error (&bad_input, LAMINA_LOAD_ERROR_CORRUPT,
                     "tiny.tflite: subgraph 0: operator 0 (Add): input index 900 out of range (3 tensors)");
  scales.n_scales = scales.n_zero_points = 3;
  expect_load_error (&scales, LAMINA_LOAD_ERROR_CORRUPT,
                     "tiny.tflite: subgraph 0: tensor 2 “w”: 3 quantization scales for dimension 1 of size 4");
  zero_points.n_scales = 4;
  zero_points.n_zero_points = 2;
  expect_load_error (&zero_points, LAMINA_LOAD_ERROR_CORRUPT,
                     "tiny.tflite: subgraph 0: tensor 2 “w”: quantization has 4 scales but 2 zero points");
  version.version = 2;
  expect_load_error (&version, LAMINA_LOAD_ERROR_UNSUPPORTED,
                     "tiny.tflite: TFLite schema version 2 is not supported (only version 3)");
}

/* A subgraph of n_tensors entries that all point at one tensor table
 * (name "t", shape [n_channels]); with `quant`, that table carries
 * per-axis quantization with n_channels scales. */
static GBytes *
build_shared_tensor_model (guint n_tensors, guint n_channels, gboolean quant)
{
  Builder b;
  gsize model, m_slots[3], sg_slot, sg, t_vec_slot, shape_slot, name_slot, q_slot = 0, s_slot, z_slot;
  g_autofree gsize *slots = g_new (gsize, n_tensors);
  g_autofree guint64 *values = g_new0 (guint64, n_channels);
  guint64 dims[] = { n_channels };
  gsize t;
  Field tf[4] = { { 0, 4, 0, &shape_slot }, { 3, 4, 0, &name_slot } };

  b_init (&b);
  model = b_table (&b, (Field[]) {
    { 0, 4, 3, NULL }, { 2, 4, 0, &m_slots[0] }, { 4, 4, 0, &m_slots[1] },
  }, 3);
  b_patch (&b, m_slots[0], b_vector_refs (&b, 1, &sg_slot));
  sg = b_table (&b, (Field[]) { { 0, 4, 0, &t_vec_slot } }, 1);
  b_patch (&b, sg_slot, sg);
  b_patch (&b, t_vec_slot, b_vector_refs (&b, n_tensors, slots));
  if (quant)
    tf[2] = (Field) { 4, 4, 0, &q_slot };
  t = b_table (&b, tf, quant ? 3 : 2);
  for (guint i = 0; i < n_tensors; i++)
    b_patch (&b, slots[i], t);
  b_patch (&b, shape_slot, b_vector (&b, 4, 1, dims));
  b_patch (&b, name_slot, b_string (&b, "t"));
  if (quant)
    {
      b_patch (&b, q_slot, b_table (&b, (Field[]) { { 2, 4, 0, &s_slot }, { 3, 4, 0, &z_slot } }, 2));
      b_patch (&b, s_slot, b_vector (&b, 4, n_channels, values));
      b_patch (&b, z_slot, b_vector (&b, 8, n_channels, values));
    }
  b_patch (&b, m_slots[1], b_vector_refs (&b, 1, &sg_slot));
  b_patch (&b, sg_slot, b_table (&b, NULL, 0));
  return b_finish (&b, model);
}

/* 50,000 tensors sharing one name: renaming must stay linear, and sharing
 * one table with 10,000 scales must not copy them 50,000 times (6 GB). */
static void
test_tiny_shared_tables (void)
{
  g_autoptr(GBytes) names = build_shared_tensor_model (50000, 4, FALSE);
  g_autoptr(GBytes) scales = build_shared_tensor_model (50000, 10000, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = lamina_model_load_bytes (names, "names.tflite", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (model->graph->tensors->len, ==, 50000);
  g_assert_nonnull (lamina_graph_lookup_tensor (model->graph, "t_49999"));
  g_assert_null (lamina_model_load_bytes (scales, "scales.tflite", &error));
  g_assert_error (error, LAMINA_LOAD_ERROR, LAMINA_LOAD_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "too many times"));
}

/* ---- the shared models ------------------------------------------------- */

typedef struct {
  const char *op;
  guint       count;
} OpCount;

typedef struct {
  const char  *name;
  LaminaDType  dtype;
  int          rank;
  gint64       dims[4];
} Io;

typedef struct {
  const char      *file;
  guint            n_ops;       /* operators of subgraph 0 */
  guint            n_tensors;
  guint            n_constants; /* tensors whose buffer holds data */
  LaminaGraphKind  kind;
  const char      *producer;
  OpCount          ops[12];     /* histogram, sorted by name */
  Io               inputs[1];
  Io               outputs[2];
  guint            n_outputs;
} SharedModel;

static const SharedModel shared_models[] = {
  { "blazeface-short-range.tflite", 164, 250, 85, LAMINA_KIND_FLOAT,
    "keras2tflite_facedetector-front.tflite.generated",
    { { "Add", 16 }, { "Concatenation", 2 }, { "Conv2D", 21 }, { "DepthwiseConv2D", 16 },
      { "Dequantize", 74 }, { "MaxPool2D", 3 }, { "Pad", 11 }, { "Relu", 17 }, { "Reshape", 4 } },
    { { "input", LAMINA_DTYPE_FLOAT32, 4, { 1, 128, 128, 3 } } },
    { { "regressors", LAMINA_DTYPE_FLOAT32, 3, { 1, 896, 16 } },
      { "classificators", LAMINA_DTYPE_FLOAT32, 3, { 1, 896, 1 } } }, 2 },
  { "blazeface-full-range.tflite", 354, 544, 189, LAMINA_KIND_FLOAT,
    "keras2tflite_facedetector-back-192x192.tflite.generated",
    { { "Add", 23 }, { "Conv2D", 49 }, { "DepthwiseConv2D", 40 }, { "Dequantize", 178 },
      { "MaxPool2D", 4 }, { "Pad", 8 }, { "Relu", 47 }, { "Reshape", 2 }, { "ResizeBilinear", 3 } },
    { { "input", LAMINA_DTYPE_FLOAT32, 4, { 1, 192, 192, 3 } } },
    { { "reshaped_regressor_face_4", LAMINA_DTYPE_FLOAT32, 3, { 1, 2304, 16 } },
      { "reshaped_classifier_face_4", LAMINA_DTYPE_FLOAT32, 3, { 1, 2304, 1 } } }, 2 },
  { "yolov5n-fp16.tflite", 386, 533, 146, LAMINA_KIND_FLOAT,
    "MLIR Converted. (min. runtime 2.3.0)",
    { { "Add", 10 }, { "Concatenation", 17 }, { "Conv2D", 60 }, { "Dequantize", 131 },
      { "Logistic", 66 }, { "MaxPool2D", 3 }, { "Mul", 75 }, { "Pad", 7 }, { "Reshape", 6 },
      { "ResizeNearestNeighbor", 2 }, { "StridedSlice", 9 } },
    { { "input_1", LAMINA_DTYPE_FLOAT32, 4, { 1, 640, 640, 3 } } },
    { { "Identity", LAMINA_DTYPE_FLOAT32, 3, { 1, 25200, 85 } } }, 1 },
  { "yolov5n-int8.tflite", 281, 428, 146, LAMINA_KIND_FIXED,
    "MLIR Converted. (min. runtime 2.3.0)",
    { { "Add", 10 }, { "Concatenation", 17 }, { "Conv2D", 60 }, { "Logistic", 66 },
      { "MaxPool2D", 3 }, { "Mul", 75 }, { "Pad", 7 }, { "Quantize", 26 }, { "Reshape", 6 },
      { "ResizeNearestNeighbor", 2 }, { "StridedSlice", 9 } },
    { { "input_1", LAMINA_DTYPE_UINT8, 4, { 1, 640, 640, 3 } } },
    { { "Identity", LAMINA_DTYPE_UINT8, 3, { 1, 25200, 85 } } }, 1 },
  { "yolov5n-int8_edgetpu.tflite", 25, 41, 13, LAMINA_KIND_FIXED,
    "Exported from Subgraph.",
    { { "Add", 1 }, { "Concatenation", 2 }, { "Logistic", 3 }, { "Mul", 6 }, { "Quantize", 6 },
      { "Reshape", 3 }, { "StridedSlice", 3 }, { "edgetpu-custom-op", 1 } },
    { { "input_1", LAMINA_DTYPE_UINT8, 4, { 1, 640, 640, 3 } } },
    { { "Identity", LAMINA_DTYPE_UINT8, 3, { 1, 25200, 85 } } }, 1 },
};

static void
check_io (const LaminaTensor *t, const Io *io)
{
  g_assert_cmpstr (t->name, ==, io->name);
  g_assert_cmpint (t->dtype, ==, io->dtype);
  g_assert_cmpint (t->shape.rank, ==, io->rank);
  for (int d = 0; d < io->rank; d++)
    g_assert_cmpint (t->shape.dims[d].value, ==, io->dims[d]);
}

static void
check_histogram (const LaminaGraph *g, const OpCount *ops)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_kinds = 0;

  for (guint i = 0; i < g->nodes->len; i++)
    {
      const LaminaNode *n = g_ptr_array_index (g->nodes, i);
      guint c = GPOINTER_TO_UINT (g_hash_table_lookup (counts, n->op_type));
      g_hash_table_insert (counts, n->op_type, GUINT_TO_POINTER (c + 1));
    }
  for (; ops[n_kinds].op != NULL; n_kinds++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (counts, ops[n_kinds].op)), ==, ops[n_kinds].count);
  g_assert_cmpuint (g_hash_table_size (counts), ==, n_kinds);
}

static void
test_shared_model (gconstpointer data)
{
  const SharedModel *sm = data;
  g_autofree char *path = lamina_test_shared_model (sm->file);
  g_autoptr(GError) error = NULL;
  g_autoptr(LaminaModel) model = NULL;
  guint n_constants = 0;
  gint64 start;

  if (path == NULL)
    return;
  start = g_get_monotonic_time ();
  model = lamina_model_load (path, &error);
  g_assert_no_error (error);
  g_test_message ("%s loaded in %.2f ms", sm->file, (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (model->format, ==, LAMINA_FORMAT_TFLITE);
  g_assert_cmpint (model->kind, ==, sm->kind);
  g_assert_cmpstr (model->format_version, ==, "TFLite v3");
  g_assert_cmpstr (model->producer, ==, sm->producer);
  g_assert_cmpuint (model->graphs->len, ==, 1);
  g_assert_cmpuint (model->graph->nodes->len, ==, sm->n_ops);
  g_assert_cmpuint (model->graph->tensors->len, ==, sm->n_tensors);
  for (guint i = 0; i < model->graph->tensors->len; i++)
    n_constants += ((LaminaTensor *) g_ptr_array_index (model->graph->tensors, i))->is_constant;
  g_assert_cmpuint (n_constants, ==, sm->n_constants);
  check_histogram (model->graph, sm->ops);
  g_assert_cmpuint (model->graph->inputs->len, ==, 1);
  check_io (g_ptr_array_index (model->graph->inputs, 0), &sm->inputs[0]);
  g_assert_cmpuint (model->graph->outputs->len, ==, sm->n_outputs);
  for (guint i = 0; i < sm->n_outputs; i++)
    check_io (g_ptr_array_index (model->graph->outputs, i), &sm->outputs[i]);
}

/* flatc prints floats with 6 decimals: compare the scales within 1e-6. */
static void
test_int8_quantization (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolov5n-int8.tflite");
  g_autoptr(LaminaModel) model = NULL;
  LaminaTensor *in, *out, *w;

  if (path == NULL)
    return;
  model = lamina_model_load (path, NULL);
  in = g_ptr_array_index (model->graph->inputs, 0);
  out = g_ptr_array_index (model->graph->outputs, 0);
  g_assert_nonnull (in->quant);
  g_assert_cmpint (in->quant->axis, ==, -1);
  g_assert_cmpuint (in->quant->n, ==, 1);
  g_assert_cmpfloat_with_epsilon (in->quant->scale[0], 0.003922, 1e-6);  /* 1/255 */
  g_assert_cmpint (in->quant->zero_point[0], ==, 0);
  g_assert_cmpfloat_with_epsilon (out->quant->scale[0], 0.004483, 1e-6);
  g_assert_cmpint (out->quant->zero_point[0], ==, 3);
  /* weights are per output channel: tensor 51 is [128,1,1,256] int8 */
  w = g_ptr_array_index (model->graph->tensors, 51);
  g_assert_cmpstr (w->name, ==, "model/tf_c3_3/tf_conv_27/conv2d_27/Conv2D");
  g_assert_cmpint (w->dtype, ==, LAMINA_DTYPE_INT8);
  g_assert_cmpint (w->quant->axis, ==, 0);
  g_assert_cmpuint (w->quant->n, ==, 128);
  g_assert_cmpuint (g_bytes_get_size (w->data), ==, 128 * 256);
}

static void
test_fp16_weights (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolov5n-fp16.tflite");
  g_autoptr(LaminaModel) model = NULL;
  guint n_dequantize = 0;

  if (path == NULL)
    return;
  model = lamina_model_load (path, NULL);
  for (guint i = 0; i < model->graph->nodes->len; i++)
    {
      LaminaNode *n = g_ptr_array_index (model->graph->nodes, i);
      LaminaTensor *in = g_ptr_array_index (n->inputs, 0);
      if (strcmp (n->op_type, "Dequantize") != 0)
        continue;
      /* every Dequantize unpacks constant float16 weights to float32 */
      g_assert_true (in->is_constant);
      g_assert_cmpint (in->dtype, ==, LAMINA_DTYPE_FLOAT16);
      g_assert_cmpint (((LaminaTensor *) g_ptr_array_index (n->outputs, 0))->dtype, ==, LAMINA_DTYPE_FLOAT32);
      n_dequantize++;
    }
  g_assert_cmpuint (n_dequantize, ==, 131);
}

static void
test_options (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolov5n-int8.tflite");
  g_autoptr(LaminaModel) model = NULL;
  LaminaNode *conv;

  if (path == NULL)
    return;
  model = lamina_model_load (path, NULL);
  /* operator 2 is the first Conv2D: Conv2DOptions { padding: VALID,
   * stride_w: 2, stride_h: 2 } in flatc's dump, dilations at their default */
  conv = g_ptr_array_index (model->graph->nodes, 2);
  g_assert_cmpstr (conv->op_type, ==, "Conv2D");
  g_assert_cmpstr (lamina_node_get_string (conv, "padding", NULL), ==, "VALID");
  g_assert_cmpint (lamina_node_get_int (conv, "stride_w", 0), ==, 2);
  g_assert_cmpint (lamina_node_get_int (conv, "stride_h", 0), ==, 2);
  g_assert_cmpint (lamina_node_get_int (conv, "dilation_w_factor", 0), ==, 1);
  g_assert_cmpstr (lamina_node_get_string (conv, "fused_activation_function", NULL), ==, "NONE");
}

static void
test_edgetpu (void)
{
  g_autofree char *path = lamina_test_shared_model ("yolov5n-int8_edgetpu.tflite");
  g_autoptr(LaminaModel) model = NULL;
  LaminaNode *node;

  if (path == NULL)
    return;
  model = lamina_model_load (path, NULL);
  node = g_ptr_array_index (model->graph->nodes, 0);
  g_assert_cmpstr (node->op_type, ==, "edgetpu-custom-op");
  g_assert_true (node->is_custom);
  g_assert_cmpuint (node->inputs->len, ==, 1);
  g_assert_cmpuint (node->outputs->len, ==, 3);
  g_assert_true (g_str_has_prefix (lamina_node_get_string (node, "custom_options", ""), "2469972 bytes: 31 00 34 00"));
  /* its options are a FlexBuffer map with keys 1, 4, 5, 6, 7; "4" holds
   * the compiled program (decoded by hand with a throwaway script) */
  g_assert_cmpint (lamina_node_get_int (node, "1", -1), ==, 0);
  g_assert_cmpint (lamina_node_get_int (node, "5", 0), ==, -1);
  g_assert_cmpstr (lamina_node_get_string (node, "4", NULL), ==, "string of 2469888 bytes");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lamina/tflite/flatbuf/valid", test_fb_valid);
  g_test_add_func ("/lamina/tflite/flatbuf/errors", test_fb_errors);
  g_test_add_func ("/lamina/tflite/flatbuf/depth", test_fb_depth);
  g_test_add_func ("/lamina/tflite/flexbuf", test_flexbuf);
  g_test_add_func ("/lamina/tflite/tiny/model", test_tiny_model);
  g_test_add_func ("/lamina/tflite/tiny/opcodes", test_tiny_opcodes);
  g_test_add_func ("/lamina/tflite/tiny/builtin-names", test_tiny_builtin_names);
  g_test_add_func ("/lamina/tflite/tiny/features", test_tiny_features);
  g_test_add_func ("/lamina/tflite/tiny/errors", test_tiny_errors);
  g_test_add_func ("/lamina/tflite/tiny/shared-tables", test_tiny_shared_tables);
  for (guint i = 0; i < G_N_ELEMENTS (shared_models); i++)
    {
      g_autofree char *name = g_strdup_printf ("/lamina/tflite/shared/%s", shared_models[i].file);
      g_test_add_data_func (name, &shared_models[i], test_shared_model);
    }
  g_test_add_func ("/lamina/tflite/shared/int8-quantization", test_int8_quantization);
  g_test_add_func ("/lamina/tflite/shared/fp16-weights", test_fp16_weights);
  g_test_add_func ("/lamina/tflite/shared/options", test_options);
  g_test_add_func ("/lamina/tflite/shared/edgetpu", test_edgetpu);
  return g_test_run ();
}
