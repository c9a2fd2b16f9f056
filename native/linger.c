/*
 * Preloaded into upstream llama.cpp tools by the wrappers that fetch-upstream-tools.sh writes.
 * llama.cpp's logger writes from a worker thread; a short run can exit before that thread has flushed the
 * statistics lines (llama-lookup then prints nothing, or stops mid-output). A library destructor runs at exit
 * while other threads are still alive; waiting briefly there lets the logger drain. It changes nothing else.
 */
#include <unistd.h>

__attribute__((destructor)) static void lookupdecode_linger_at_exit(void) {
    usleep(300000);
}
