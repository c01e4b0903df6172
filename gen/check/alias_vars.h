/* Variables that tapset probe aliases set (gen/tables/alias_vars.def). */
#ifndef STAPGEN_ALIAS_VARS_H
#define STAPGEN_ALIAS_VARS_H
#include <stdbool.h>
#include <stddef.h>

/* The alias's variables as one space-separated string, or NULL when the
 * alias is not in the table (its variables can then not be checked). */
const char *alias_vars(const char *alias);
bool alias_has_var(const char *vars, const char *name);
/* Splits vars into out[] (arena-free: pointers into a static copy). */
size_t alias_var_list(const char *vars, const char **out, size_t max, char *buf, size_t bufsz);

#endif
