/*
 * The JSON Lines record of one case (DESIGN.md "One JSON Lines record per
 * case"), the build id and the reproducer token it carries.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

#include "fault_engine.h"
#include "harness.h"

/*
 * Write s as a JSON string: quotes, backslashes and control characters
 * escaped; bytes that are not UTF-8 text pass through unchanged.
 */
void
record_json_string(FILE *f, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	putc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':	fputs("\\\"", f); break;
		case '\\':	fputs("\\\\", f); break;
		case '\n':	fputs("\\n", f); break;
		case '\t':	fputs("\\t", f); break;
		case '\r':	fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				putc(*p, f);
		}
	}
	putc('"', f);
}

/* dl_iterate_phdr callback: the GNU build id of the main program. */
static int
record_buildid_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	char *out = arg;
	const ElfW(Phdr) *ph;
	const char *p, *end;
	const ElfW(Nhdr) *nh;
	const unsigned char *d;
	size_t i;
	int k;

	/* The first object is the program itself. */
	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + sizeof(*nh) <= end) {
			nh = (const ElfW(Nhdr) *)p;
			d = (const unsigned char *)(nh + 1) +
			    ((nh->n_namesz + 3) & ~3u);
			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 &&
			    memcmp(nh + 1, "GNU", 4) == 0) {
				for (k = 0; k < (int)nh->n_descsz && k < 20;
				    k++)
					sprintf(out + 2 * k, "%02x", d[k]);
				return 1;
			}
			p = (const char *)d + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

/*
 * The build id of this rumpus (kernel, host library and runner are one
 * program), as hex; "unknown" when the linker wrote none.
 */
const char *
record_buildid(void)
{
	static char id[41];

	if (id[0] == '\0') {
		dl_iterate_phdr(record_buildid_cb, id);
		if (id[0] == '\0')
			snprintf(id, sizeof(id), "unknown");
	}
	return id;
}

/*
 * The reproducer token of case hc as run with ho (fe_token_encode): this
 * build, the scenario's path and content hash, "name[fs]", the plan, the
 * seed and the mode.  0, or an errno.
 */
int
record_token(const struct hcase *hc, const struct hopts *ho, char *buf,
    size_t len)
{
	struct fe_token tok;
	char variant[512];

	snprintf(variant, sizeof(variant), "%s%s%s%s", hc->hc_name,
	    *hc->hc_fs ? "[" : "", hc->hc_fs, *hc->hc_fs ? "]" : "");
	memset(&tok, 0, sizeof(tok));
	tok.ft_build = (char *)record_buildid();
	tok.ft_scenario = (char *)hc->hc_path;
	tok.ft_scenhash = (char *)hc->hc_hash;
	tok.ft_variant = variant;
	tok.ft_plan = (char *)(hc->hc_plan != NULL ? hc->hc_plan : "");
	tok.ft_mode = (char *)hcase_mode(hc, ho);
	tok.ft_seed = hcase_seed(hc, ho);
	return fe_token_encode(&tok, buf, len);
}

/* "hypercalls": {"point": calls, ...} for the points called, or null. */
static void
record_calls(FILE *f, const struct hverdict *hv)
{
	const char *name;
	size_t i;
	int first = 1;

	if (!hv->hv_counted) {
		fputs("null", f);
		return;
	}
	putc('{', f);
	for (i = 0; i < RUMPUS_FAULT_MAXPOINTS &&
	    (name = rumpus_fault_point_name(i)) != NULL; i++) {
		if (hv->hv_calls[i] == 0)
			continue;
		fprintf(f, "%s\"%s\":%llu", first ? "" : ",", name,
		    (unsigned long long)hv->hv_calls[i]);
		first = 0;
	}
	putc('}', f);
}

/*
 * Write one record, one line, and flush it: a runner that dies later
 * keeps every record written so far.
 */
void
record_write(FILE *f, const struct hcase *hc, const struct hverdict *hv,
    const struct hopts *ho)
{

	fputs("{\"case\":{\"file\":", f);
	record_json_string(f, hc->hc_path);
	fputs(",\"name\":", f);
	record_json_string(f, hc->hc_name);
	fputs(",\"fs\":", f);
	record_json_string(f, hc->hc_fs);
	fputs("},\"outcome\":", f);
	record_json_string(f, hv->hv_outcome == RUMPUS_NONE ? NULL :
	    rumpus_outcome_name(hv->hv_outcome));
	fputs(",\"expected\":", f);
	record_json_string(f, hc->hc_expect);
	fprintf(f, ",\"ok\":%s,\"reason\":", hv->hv_ok ? "true" : "false");
	record_json_string(f, hv->hv_reason);
	fputs(",\"signal\":", f);
	record_json_string(f, hv->hv_signal[0] ? hv->hv_signal : NULL);
	fputs(",\"phase\":", f);
	record_json_string(f, hv->hv_phase);
	fputs(",\"plan\":", f);
	record_json_string(f, hc->hc_plan);
	fprintf(f, ",\"seed\":%llu,\"mode\":",
	    (unsigned long long)hcase_seed(hc, ho));
	record_json_string(f, hcase_mode(hc, ho));
	fputs(",\"token\":", f);
	record_json_string(f, hv->hv_token[0] ? hv->hv_token : NULL);
	fputs(",\"build\":", f);
	record_json_string(f, record_buildid());
	fputs(",\"hypercalls\":", f);
	record_calls(f, hv);
	if (hv->hv_counted)
		fprintf(f, ",\"faults_hit\":%llu,\"trace_digest\":"
		    "\"%016llx\"", (unsigned long long)hv->hv_hits,
		    (unsigned long long)hv->hv_digest);
	else
		fputs(",\"faults_hit\":null,\"trace_digest\":null", f);
	fputs(",\"fault_site\":", f);
	record_json_string(f, hv->hv_site[0] ? hv->hv_site : NULL);
	fputs(",\"fault_stack\":", f);
	record_json_string(f, hv->hv_site[0] ? hv->hv_stack : NULL);
	fprintf(f, ",\"timeout\":%.3f,\"duration\":%.6f,\"console\":",
	    hc->hc_timeout, hv->hv_duration);
	record_json_string(f, hv->hv_console);
	fputs(",\"backtrace\":", f);
	record_json_string(f, hv->hv_backtrace[0] ? hv->hv_backtrace : NULL);
	fputs(",\"leak\":", f);
	record_json_string(f, hv->hv_leak != NULL && hv->hv_leak[0] ?
	    hv->hv_leak : NULL);
	fputs(",\"books\":", f);
	record_json_string(f, hv->hv_books != NULL && hv->hv_books[0] ?
	    hv->hv_books : NULL);
	/* e2fsck -fn on the disk image the instance left, if it had one. */
	fputs(",\"fsck\":", f);
	if (hv->hv_imaged) {
		fprintf(f, "{\"status\":%d,\"problems\":", hv->hv_fsck);
		record_json_string(f, hv->hv_fsckout[0] ? hv->hv_fsckout :
		    NULL);
		putc('}', f);
	} else
		fputs("null", f);
	fputs(",\"artifacts\":[", f);
	if (hv->hv_artifact[0] != '\0')
		record_json_string(f, hv->hv_artifact);
	if (hv->hv_imgartifact[0] != '\0') {
		if (hv->hv_artifact[0] != '\0')
			putc(',', f);
		record_json_string(f, hv->hv_imgartifact);
	}
	fputs("]}\n", f);
	fflush(f);
}
