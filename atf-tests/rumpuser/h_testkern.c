/*
 * The test kernel: upcalls that check and record the vCPU discipline of
 * librumpuser (see h_testkern.h).
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "h_testkern.h"

static pthread_mutex_t tk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tk_cv = PTHREAD_COND_INITIALIZER;
static struct tk_record tk_records[TK_LOGMAX];	/* guarded by tk_lock */
static int tk_nrecords;				/* guarded by tk_lock */
static int tk_nviolations;			/* guarded by tk_lock */
static char tk_firstviolation[256];		/* guarded by tk_lock */
static int tk_nextthread = 1;			/* guarded by tk_lock */

static __thread int tk_thr = -1;
static __thread int tk_cpu;

void (*tk_bsched_hook)(void *);

int
tk_thread(void)
{

	if (tk_thr == -1) {
		pthread_mutex_lock(&tk_lock);
		tk_thr = tk_nextthread++;
		pthread_mutex_unlock(&tk_lock);
	}
	return tk_thr;
}

void
tk_setcpu(int on)
{

	tk_cpu = on;
}

int
tk_hascpu(void)
{

	return tk_cpu;
}

/* Record a broken rule.  Must be called with tk_lock held. */
static void
tk_violation_locked(const char *what)
{

	if (tk_nviolations++ == 0)
		snprintf(tk_firstviolation, sizeof(tk_firstviolation),
		    "thread %d: %s", tk_thr, what);
}

/* Append a record.  Must be called with tk_lock held. */
static void
tk_append_locked(int ev, void *interlock, int64_t value, int64_t aux)
{
	struct tk_record *r;

	if (tk_nrecords == TK_LOGMAX) {
		tk_violation_locked("log full");
		return;
	}
	r = &tk_records[tk_nrecords++];
	r->r_event = ev;
	r->r_thread = tk_thr;
	r->r_hascpu = tk_cpu;
	r->r_interlock = interlock;
	r->r_value = value;
	r->r_aux = aux;
	pthread_cond_broadcast(&tk_cv);
}

/* One upcall: check the vCPU state it must find, flip it, record it. */
static void
tk_upcall(int ev, int need, void *interlock, const char *what)
{

	(void)tk_thread();
	pthread_mutex_lock(&tk_lock);
	if (tk_cpu != need)
		tk_violation_locked(what);
	tk_append_locked(ev, interlock, 0, 0);
	tk_cpu = !need;
	pthread_mutex_unlock(&tk_lock);
}

static void
tk_schedule(void)
{

	tk_upcall(TK_SCHED, 0, NULL, "hyp_schedule with a vCPU held");
}

static void
tk_unschedule(void)
{

	tk_upcall(TK_UNSCHED, 1, NULL, "hyp_unschedule without a vCPU");
}

static void
tk_backend_unschedule(int nlocks, int *nlocksp, void *interlock)
{

	tk_upcall(TK_BUNSCHED, 1, interlock,
	    "hyp_backend_unschedule without a vCPU");
	*nlocksp = TK_NLOCKS;
}

static void
tk_backend_schedule(int nlocks, void *interlock)
{

	if (tk_bsched_hook != NULL)
		tk_bsched_hook(interlock);
	tk_upcall(TK_BSCHED, 0, interlock,
	    "hyp_backend_schedule with a vCPU held");
	if (nlocks != TK_NLOCKS) {
		pthread_mutex_lock(&tk_lock);
		tk_violation_locked("hyp_backend_schedule: nlocks not the "
		    "value unschedule handed out");
		pthread_mutex_unlock(&tk_lock);
	}
}

static const struct rumpuser_hyperup tk_hyp = {
	.hyp_schedule = tk_schedule,
	.hyp_unschedule = tk_unschedule,
	.hyp_backend_unschedule = tk_backend_unschedule,
	.hyp_backend_schedule = tk_backend_schedule,
};

int
tk_boot(void)
{

	tk_thr = 0;
	tk_cpu = 1;
	return rumpuser_init(RUMPUSER_VERSION, &tk_hyp);
}

void
tk_note(int ev, int64_t value, int64_t aux)
{

	(void)tk_thread();
	pthread_mutex_lock(&tk_lock);
	tk_append_locked(ev, NULL, value, aux);
	pthread_mutex_unlock(&tk_lock);
}

int
tk_log(struct tk_record *out, int max)
{
	int n;

	pthread_mutex_lock(&tk_lock);
	n = tk_nrecords < max ? tk_nrecords : max;
	memcpy(out, tk_records, (size_t)n * sizeof(*out));
	pthread_mutex_unlock(&tk_lock);
	return n;
}

int
tk_lognow(void)
{
	int n;

	pthread_mutex_lock(&tk_lock);
	n = tk_nrecords;
	pthread_mutex_unlock(&tk_lock);
	return n;
}

/* Count matching records.  Must be called with tk_lock held. */
static int
tk_count_locked(int ev, int thread, int from)
{
	int i, n = 0;

	for (i = from; i < tk_nrecords; i++)
		if (tk_records[i].r_event == ev &&
		    (thread == -1 || tk_records[i].r_thread == thread))
			n++;
	return n;
}

int
tk_count(int ev, int thread, int from)
{
	int n;

	pthread_mutex_lock(&tk_lock);
	n = tk_count_locked(ev, thread, from);
	pthread_mutex_unlock(&tk_lock);
	return n;
}

int
tk_wait_event(int ev, int thread, int from, int ms)
{
	struct timespec ts;
	int found;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&tk_lock);
	while ((found = tk_count_locked(ev, thread, from) > 0) == 0)
		if (pthread_cond_timedwait(&tk_cv, &tk_lock, &ts) != 0)
			break;
	found = tk_count_locked(ev, thread, from) > 0;
	pthread_mutex_unlock(&tk_lock);
	return found;
}

int
tk_violations(const char **why)
{
	int n;

	pthread_mutex_lock(&tk_lock);
	n = tk_nviolations;
	*why = n ? tk_firstviolation : "";
	pthread_mutex_unlock(&tk_lock);
	return n;
}

int
tk_nthreads(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/task")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int64_t
tk_msec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
