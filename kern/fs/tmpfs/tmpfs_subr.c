/*
 * tmpfs nodes and file pages, with the mount's limits.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/errno.h>
#include <sys/kmem.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/vnode.h>

#include "tmpfs.h"

/*
 * A new node of the given type with va's mode, uid, gid and rdev, counted
 * against the mount's node limit (ENOSPC).  Links: 0 (the caller adds).
 */
int
tmpfs_node_alloc(struct tmpfs_mount *tm, enum vtype type,
    const struct vattr *vap, struct tmpfs_node **nodep)
{
	struct tmpfs_node *node;

	mutex_enter(&tm->tm_lock);
	if (tm->tm_nodes_inuse >= tm->tm_nodes_max) {
		mutex_exit(&tm->tm_lock);
		return ENOSPC;
	}
	tm->tm_nodes_inuse++;
	mutex_exit(&tm->tm_lock);

	node = kmem_zalloc(sizeof(*node), KM_SLEEP);
	if (node == NULL) {
		mutex_enter(&tm->tm_lock);
		tm->tm_nodes_inuse--;
		mutex_exit(&tm->tm_lock);
		return ENOMEM;
	}
	node->tn_type = type;
	node->tn_mode = vap->va_mode & ALLPERMS;
	node->tn_uid = vap->va_uid;
	node->tn_gid = vap->va_gid;
	node->tn_rdev = (type == VBLK || type == VCHR) ? vap->va_rdev : NODEV;
	getnanotime(&node->tn_birthtime);
	node->tn_atime = node->tn_mtime = node->tn_ctime = node->tn_birthtime;
	node->tn_nextcookie = 2;

	mutex_enter(&tm->tm_lock);
	node->tn_id = tm->tm_nextid++;
	node->tn_gen = (uint32_t)node->tn_id * 2654435761u;
	node->tn_next = tm->tm_nodes;
	if (tm->tm_nodes != NULL)
		tm->tm_nodes->tn_prev = node;
	tm->tm_nodes = node;
	mutex_exit(&tm->tm_lock);
	*nodep = node;
	return 0;
}

/* Free a node no entry and no vnode refers to, with what it holds. */
void
tmpfs_node_free(struct tmpfs_mount *tm, struct tmpfs_node *node)
{
	struct tmpfs_dirent *de;

	while ((de = node->tn_dir) != NULL) {
		node->tn_dir = de->td_next;
		kmem_free(de, sizeof(*de) + de->td_namelen);
	}
	if (node->tn_link != NULL)
		kmem_free(node->tn_link, node->tn_size + 1);
	tmpfs_pages_free(tm, node);
	mutex_enter(&tm->tm_lock);
	if (node->tn_prev != NULL)
		node->tn_prev->tn_next = node->tn_next;
	else
		tm->tm_nodes = node->tn_next;
	if (node->tn_next != NULL)
		node->tn_next->tn_prev = node->tn_prev;
	tm->tm_nodes_inuse--;
	mutex_exit(&tm->tm_lock);
	kmem_free(node, sizeof(*node));
}

#define TMPFS_LEVEL_SIZE	(TMPFS_RADIX * sizeof(void *))

/*
 * Page pgno of a regular file in *pagep: NULL for a hole, unless alloc,
 * which fills the hole with a zeroed page counted against the mount's
 * size limit (ENOSPC).  Height 0: tn_pages is page 0 itself (or NULL);
 * height h > 0: a tree of levels of TMPFS_RADIX slots covering
 * TMPFS_RADIX^h pages.  Vnode lock held exclusively when alloc.
 */
int
tmpfs_page_get(struct tmpfs_mount *tm, struct tmpfs_node *node,
    uint64_t pgno, bool alloc, char **pagep)
{
	void **slot, **n;
	u_int h, idx;

	*pagep = NULL;
	while ((pgno >> (TMPFS_RADIX_SHIFT * node->tn_height)) != 0) {
		if (!alloc)
			return 0;
		n = kmem_zalloc(TMPFS_LEVEL_SIZE, KM_SLEEP);
		if (n == NULL)
			return ENOMEM;
		n[0] = node->tn_pages;
		node->tn_pages = n;
		node->tn_height++;
	}
	slot = (void **)&node->tn_pages;
	for (h = node->tn_height; h > 0; h--) {
		if (h < node->tn_height && *slot == NULL) {
			if (!alloc)
				return 0;
			*slot = kmem_zalloc(TMPFS_LEVEL_SIZE, KM_SLEEP);
			if (*slot == NULL)
				return ENOMEM;
		}
		idx = (pgno >> (TMPFS_RADIX_SHIFT * (h - 1))) &
		    (TMPFS_RADIX - 1);
		slot = (void **)*slot + idx;
	}
	if (*slot == NULL && alloc) {
		mutex_enter(&tm->tm_lock);
		if (tm->tm_pages_used >= tm->tm_pages_max) {
			mutex_exit(&tm->tm_lock);
			return ENOSPC;
		}
		tm->tm_pages_used++;
		mutex_exit(&tm->tm_lock);
		*slot = kmem_zalloc(PAGE_SIZE, KM_SLEEP);
		if (*slot == NULL) {
			mutex_enter(&tm->tm_lock);
			tm->tm_pages_used--;
			mutex_exit(&tm->tm_lock);
			return ENOMEM;
		}
		node->tn_npages++;
	}
	*pagep = *slot;
	return 0;
}

/*
 * Free the data pages of the subtree "level" (h levels high, its first
 * page base) from page keep on, and the levels left wholly empty.
 * Returns the number of data pages freed.
 */
static uint64_t
tmpfs_radix_trim(void **level, u_int h, uint64_t base, uint64_t keep)
{
	uint64_t span, start, freed = 0;
	u_int i;

	span = (uint64_t)1 << (TMPFS_RADIX_SHIFT * (h - 1));
	for (i = 0; i < TMPFS_RADIX; i++) {
		start = base + i * span;
		if (level[i] == NULL || start + span <= keep)
			continue;
		if (h == 1) {
			kmem_free(level[i], PAGE_SIZE);
			freed++;
		} else {
			freed += tmpfs_radix_trim(level[i], h - 1, start, keep);
			if (start < keep)
				continue;
			kmem_free(level[i], TMPFS_LEVEL_SIZE);
		}
		level[i] = NULL;
	}
	return freed;
}

/* Free the data pages from page keep on (keep 0: the tree too). */
static void
tmpfs_pages_trim(struct tmpfs_mount *tm, struct tmpfs_node *node,
    uint64_t keep)
{
	uint64_t freed;

	if (node->tn_pages == NULL)
		return;
	if (node->tn_height == 0) {
		if (keep > 0)
			return;
		kmem_free(node->tn_pages, PAGE_SIZE);
		freed = 1;
	} else
		freed = tmpfs_radix_trim(node->tn_pages, node->tn_height, 0,
		    keep);
	node->tn_npages -= freed;
	mutex_enter(&tm->tm_lock);
	tm->tm_pages_used -= freed;
	mutex_exit(&tm->tm_lock);
	if (keep == 0) {
		if (node->tn_height > 0)
			kmem_free(node->tn_pages, TMPFS_LEVEL_SIZE);
		node->tn_pages = NULL;
		node->tn_height = 0;
	}
}

/* Free every data page of a regular file. */
void
tmpfs_pages_free(struct tmpfs_mount *tm, struct tmpfs_node *node)
{

	tmpfs_pages_trim(tm, node, 0);
}

/*
 * Set a regular file's size: pages past the end are freed and the tail
 * of the last page zeroed, so that growing again reads zeroes.  Vnode lock
 * held exclusively.
 */
int
tmpfs_truncate(struct tmpfs_mount *tm, struct tmpfs_node *node, off_t size)
{
	char *page;
	int error;

	if (size < 0)
		return EINVAL;
	if (size > TMPFS_MAXFILESIZE)
		return EFBIG;
	if (size < node->tn_size) {
		tmpfs_pages_trim(tm, node, howmany((uint64_t)size, PAGE_SIZE));
		if (size % PAGE_SIZE != 0) {
			error = tmpfs_page_get(tm, node, size / PAGE_SIZE,
			    false, &page);
			if (error != 0)
				return error;
			if (page != NULL)
				memset(page + size % PAGE_SIZE, 0,
				    PAGE_SIZE - size % PAGE_SIZE);
		}
	}
	node->tn_size = size;
	return 0;
}
