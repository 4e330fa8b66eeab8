/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lamina-node-panel.h: the side panel. Shows the selected operator (type,
 * name, documentation, attributes, inputs and outputs with dtype, shape and
 * quantization, weights with statistics, a histogram and the first values),
 * a graph input or output, or, with nothing selected, the model.
 * Tensor rows and weights emit "tensor-activated" (LaminaTensor*) so the
 * window can open the tensor view; with a simulator session, node pages
 * say whether the node ran (and how long it took) or has no kernel.
 */
#pragma once

#include <adwaita.h>
#include "lamina-document.h"
#include "lamina-sim-session.h"
#include "layout/lamina-layout.h"

G_BEGIN_DECLS

#define LAMINA_TYPE_NODE_PANEL (lamina_node_panel_get_type ())
G_DECLARE_FINAL_TYPE (LaminaNodePanel, lamina_node_panel, LAMINA, NODE_PANEL, AdwBin)

GtkWidget *lamina_node_panel_new          (void);
/* Shows the model page of document (NULL: empty). */
void       lamina_node_panel_set_document (LaminaNodePanel *self, LaminaDocument *document);
/* Shows what box stands for (a node or a graph input/output); NULL shows
 * the model page. The box is read immediately and not kept. */
void       lamina_node_panel_show_box     (LaminaNodePanel *self, const LaminaBox *box);
/* The simulator whose state node pages show (NULL: none). */
void       lamina_node_panel_set_session  (LaminaNodePanel *self, LaminaSimSession *session);
/* Updates the simulator row of the node page shown. */
void       lamina_node_panel_refresh_sim  (LaminaNodePanel *self);
/* Title of the page shown ("Conv", "Model" ...), for tests. */
const char *lamina_node_panel_get_title   (LaminaNodePanel *self);

G_END_DECLS
