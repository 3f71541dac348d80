/*
 * prune.c — row-group skipping: can a filter be true anywhere in a row group, given the group's
 * min, max and null count per column? The answer is conservative: "no" only when the statistics
 * prove it, "maybe" for anything it does not understand.
 *
 * Understood: AND, OR, IS [NOT] NULL, IN (literals), and = != < <= > >= between a column (or a
 * column widened to double / bigint, which keeps order) and a literal. A comparison with NULL, or
 * over a group whose values are all NULL, is never true. A string maximum may be a bound rather
 * than a value (the file keeps 64 bytes) and may be unknown; both only make the answer "maybe".
 */
#include "plan/plan.h"

/* The file column a (possibly widened) column reference reads, or -1; *to_double when compared as
 * double. */
static int column_of(const rf_expr *e, const rf_source *src, const rf_schema *out, bool *to_double)
{
    *to_double = false;
    if (e->kind == RF_E_CAST && e->n_arg == 1 && e->arg[0]->kind == RF_E_COL) {
        rf_type from = e->arg[0]->type;
        bool num = from == RF_TYPE_INT32 || from == RF_TYPE_INT64 || rf_type_is_decimal(from);
        bool dec_widen = rf_type_is_decimal(from) && rf_type_is_decimal(e->type) && rf_type_scale(e->type) >= rf_type_scale(from) &&
                         rf_type_precision(e->type) - rf_type_scale(e->type) >= rf_type_precision(from) - rf_type_scale(from);
        if (e->type == RF_TYPE_DOUBLE && num) *to_double = true;
        else if (!(e->type == RF_TYPE_INT64 && from == RF_TYPE_INT32) && !dec_widen) return -1;
        e = e->arg[0];
    }
    if (e->kind != RF_E_COL) return -1;
    for (int i = 0; i < out->n; i++)
        if (out->f[i].id == e->attr) return i < src->n_read ? src->read[i] : -1;
    return -1;
}

static double as_double(const rf_value *v)
{
    if (v->type == RF_TYPE_DOUBLE) return v->v.d;
    if (rf_type_is_decimal(v->type)) return rf_dec_to_double(v->v.x, rf_type_scale(v->type));
    return (double)v->v.i;
}

/* Three-way comparison of a statistic with a literal (same kind of value). */
static int vcmp(const rf_value *a, const rf_value *b, bool dbl)
{
    if (dbl) {
        double x = as_double(a), y = as_double(b);
        return (x > y) - (x < y);
    }
    switch (rf_type_base(a->type)) {
    case RF_TYPE_STRING: {
        int64_t n = a->v.s.len < b->v.s.len ? a->v.s.len : b->v.s.len;
        int c = n ? memcmp(a->v.s.p, b->v.s.p, (size_t)n) : 0;
        if (c) return c < 0 ? -1 : 1;
        return (a->v.s.len > b->v.s.len) - (a->v.s.len < b->v.s.len);
    }
    case RF_TYPE_DOUBLE: return (a->v.d > b->v.d) - (a->v.d < b->v.d);
    case RF_TYPE_DECIMAL: {   /* at the larger scale; values are below 10^38, so this fits */
        int sa = rf_type_scale(a->type), sb = rf_type_scale(b->type);
        rf_dec x = a->v.x, y = b->v.x;
        if ((sa < sb && !rf_dec_rescale(x, sa, sb, 38, &x)) || (sb < sa && !rf_dec_rescale(y, sb, sa, 38, &y))) {
            double p = as_double(a), q = as_double(b);
            return (p > q) - (p < q);
        }
        return (x > y) - (x < y);
    }
    case RF_TYPE_BOOL: return (a->v.b > b->v.b) - (a->v.b < b->v.b);
    default: return (a->v.i > b->v.i) - (a->v.i < b->v.i);
    }
}

/* Whether the literal and the column's statistics compare as values of one kind. */
static bool comparable(rf_type col, const rf_value *lit, bool dbl)
{
    if (dbl) return lit->type == RF_TYPE_DOUBLE;
    if (col == RF_TYPE_INT32 && lit->type == RF_TYPE_INT64) return true;   /* widened column */
    if (rf_type_is_decimal(col) && rf_type_is_decimal(lit->type)) return true;
    return lit->type == col;
}

static rf_ekind flip(rf_ekind k)
{
    switch (k) {
    case RF_E_LT: return RF_E_GT;
    case RF_E_LE: return RF_E_GE;
    case RF_E_GT: return RF_E_LT;
    case RF_E_GE: return RF_E_LE;
    default: return k;
    }
}

static bool may(const rf_expr *p, const rf_source *src, const rf_schema *out, int64_t g)
{
    const rf_rowgroups *rg = src->rg;
    bool dbl;
    switch (p->kind) {
    case RF_E_AND: return may(p->arg[0], src, out, g) && may(p->arg[1], src, out, g);
    case RF_E_OR: return may(p->arg[0], src, out, g) || may(p->arg[1], src, out, g);
    case RF_E_ISNULL: case RF_E_ISNOTNULL: {
        int c = column_of(p->arg[0], src, out, &dbl);
        if (c < 0 || c >= rg->ncols) return true;
        int64_t nulls = rg->nulls[g * rg->ncols + c];
        return p->kind == RF_E_ISNULL ? nulls > 0 : nulls < rg->rows[g];
    }
    case RF_E_IN: {
        int c = column_of(p->arg[0], src, out, &dbl);
        if (c < 0 || c >= rg->ncols) return true;
        const rf_value *mn = &rg->min[g * rg->ncols + c], *mx = &rg->max[g * rg->ncols + c];
        if (rg->nulls[g * rg->ncols + c] == rg->rows[g]) return false;
        if (mn->type == RF_TYPE_NULL) return true;
        for (int i = 1; i < p->n_arg; i++) {
            const rf_expr *l = p->arg[i];
            if (l->kind != RF_E_LIT) return true;
            if (l->lit.null) continue;
            if (!comparable(src->file_schema->f[c].type, &l->lit, dbl)) return true;
            if (vcmp(mn, &l->lit, dbl) <= 0 && (mx->type == RF_TYPE_NULL || vcmp(mx, &l->lit, dbl) >= 0)) return true;
        }
        return false;
    }
    case RF_E_EQ: case RF_E_NE: case RF_E_LT: case RF_E_LE: case RF_E_GT: case RF_E_GE: {
        rf_ekind k = p->kind;
        const rf_expr *ce = p->arg[0], *le = p->arg[1];
        if (ce->kind == RF_E_LIT) { ce = p->arg[1]; le = p->arg[0]; k = flip(k); }
        if (le->kind != RF_E_LIT) return true;
        int c = column_of(ce, src, out, &dbl);
        if (c < 0 || c >= rg->ncols) return true;
        if (le->lit.null) return false;   /* compared with NULL: never true */
        if (rg->nulls[g * rg->ncols + c] == rg->rows[g]) return false;
        const rf_value *mn = &rg->min[g * rg->ncols + c], *mx = &rg->max[g * rg->ncols + c], *v = &le->lit;
        if (mn->type == RF_TYPE_NULL || !comparable(src->file_schema->f[c].type, v, dbl)) return true;
        bool has_max = mx->type != RF_TYPE_NULL;
        switch (k) {
        case RF_E_EQ: return vcmp(mn, v, dbl) <= 0 && (!has_max || vcmp(mx, v, dbl) >= 0);
        case RF_E_NE: return !(has_max && src->file_schema->f[c].type != RF_TYPE_STRING && vcmp(mn, v, dbl) == 0 && vcmp(mx, v, dbl) == 0);
        case RF_E_LT: return vcmp(mn, v, dbl) < 0;
        case RF_E_LE: return vcmp(mn, v, dbl) <= 0;
        case RF_E_GT: return !has_max || vcmp(mx, v, dbl) > 0;
        default: return !has_max || vcmp(mx, v, dbl) >= 0;
        }
    }
    default:
        return true;
    }
}

bool rf__rowgroup_may_match(const rf_expr *pred, const rf_source *src, const rf_schema *out, int64_t g)
{
    if (!pred || !src->rg || g < 0 || g >= src->rg->n) return true;
    return may(pred, src, out, g);
}

/* ---------------------------------------------------------------- partition pruning */
int rf__partition_values(const rf_source *src, int file, rf_batch *b)
{
    int nd = src->file_schema->n - src->n_part, rc = RF_OK;
    for (int k = 0; k < b->ncols && !rc; k++) {
        int fi = src->read[k];
        if (fi < nd) continue;
        const char *v = src->part_vals[(int64_t)file * src->n_part + (fi - nd)];
        rf_value val = { .type = RF_TYPE_STRING, .null = v == NULL, .v.s = { (char *)(v ? v : ""), v ? (int64_t)strlen(v) : 0 } };
        rf_column *text = NULL, *typed = NULL;
        if ((rc = rf_column_const(&val, b->nrows, &text))) break;
        rc = rf__cast_column(text, b->nrows, src->file_schema->f[fi].type, &typed);
        rf_column_release(&text);
        if (rc) break;
        rf_column_release(&b->cols[k]);
        b->cols[k] = typed;
    }
    return rc;
}


static bool only_partition_columns(const rf_expr *e, const rf_source *src, const rf_schema *out)
{
    if (e->kind == RF_E_COL) {
        int nd = src->file_schema->n - src->n_part;
        for (int i = 0; i < out->n; i++)
            if (out->f[i].id == e->attr) return i < src->n_read && src->read[i] >= nd;
        return false;
    }
    if (e->kind == RF_E_SUBQUERY || e->kind == RF_E_AGG || e->kind == RF_E_WINDOW) return false;
    for (int i = 0; i < e->n_arg; i++) if (!only_partition_columns(e->arg[i], src, out)) return false;
    return true;
}

/* Evaluates conjunct e for file fi's partition values: false only when it is surely not true. */
static bool conjunct_may(const rf_expr *e, const rf_source *src, const rf_schema *out, int fi)
{
    if (e->kind == RF_E_AND) return conjunct_may(e->arg[0], src, out, fi) && conjunct_may(e->arg[1], src, out, fi);
    if (!only_partition_columns(e, src, out)) return true;
    rf_batch *b = NULL;
    rf_expr *x = NULL;
    rf_column *r = NULL;
    bool may_be = true;
    if (rf_batch_create(out->n, 1, &b)) { rf__err_clear(); return true; }
    int rc = RF_OK;
    for (int i = 0; i < out->n && !rc; i++) {
        rf_value v = { .type = out->f[i].type, .null = true };
        rc = rf_column_const(&v, 1, &b->cols[i]);
    }
    if (!rc) rc = rf__partition_values(src, fi, b);
    if (!rc) rc = rf__expr_copy(e, &x);
    if (!rc) rc = rf__expr_bind(x, out);
    if (!rc) rc = rf__expr_eval(x, b, &r);
    if (!rc && r->type == RF_TYPE_BOOL) may_be = rf_column_valid(r, 0) && rf_col_bool(r, 0);
    if (rc) rf__err_clear();   /* cannot tell: read the file */
    rf_column_release(&r);
    rf_expr_destroy(&x);
    rf_batch_destroy(&b);
    return may_be;
}

bool rf__file_may_match(const rf_expr *pred, const rf_source *src, const rf_schema *out, int fi)
{
    if (!pred || !src->n_part || !src->part_vals) return true;
    return conjunct_may(pred, src, out, fi);
}
