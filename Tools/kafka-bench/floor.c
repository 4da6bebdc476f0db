// The machine's floor for the broker benchmark's traffic: what a server that does nothing but
// move the bytes costs in CPU, to set Tern's and Tansu's figures against.
//
//   cc -O2 -pthread -o /tmp/kafka-floor Tools/kafka-bench/floor.c && /tmp/kafka-floor 375 293000
//
// One epoll thread serves two loopback connections the way a broker serves compare.sh's
// clients: FRAMES length-prefixed frames of SIZE bytes arrive on the producer's connection,
// each lands in fresh memory that is kept (as a log keeps it) and is acknowledged with 8
// bytes; each goes out whole on the consumer's connection when the consumer has asked (an
// 8-byte request, like a parked fetch). No parsing, no CRC, no copies of its own: the kernel's
// work (socket copies, loopback TCP, wake-ups) and the page faults of the kept memory. The
// clients are two threads of a forked child; only the server's CPU time is reported.
// 375 × 293,000 bytes is one million 100-byte records in the produce requests librdkafka
// sent Tern at full speed (~2,700 records, ~290 kB each).

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int frames, size;
static struct sockaddr_in address;

static void read_fully(int fd, void *buffer, size_t count) {
    char *at = buffer;
    while (count > 0) {
        ssize_t got = read(fd, at, count);
        if (got <= 0) { perror("read"); exit(1); }
        at += got;
        count -= (size_t)got;
    }
}

static void write_fully(int fd, const void *buffer, size_t count) {
    const char *at = buffer;
    while (count > 0) {
        ssize_t put = write(fd, at, count);
        if (put <= 0) { perror("write"); exit(1); }
        at += put;
        count -= (size_t)put;
    }
}

static void no_delay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int connect_to_server(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("connect"); exit(1); }
    no_delay(fd);
    return fd;
}

static void *producer(void *unused) {
    (void)unused;
    int fd = connect_to_server();
    char *frame = malloc((size_t)size + 4);
    memset(frame, 7, (size_t)size + 4);
    int32_t length = size;
    memcpy(frame, &length, 4);
    char ack[8];
    for (int i = 0; i < frames; i++) {
        write_fully(fd, frame, (size_t)size + 4);
        read_fully(fd, ack, sizeof ack);
    }
    return NULL;
}

static void *consumer(void *unused) {
    (void)unused;
    int fd = connect_to_server();
    char *frame = malloc((size_t)size);
    char request[8] = {0};
    for (int i = 0; i < frames; i++) {
        write_fully(fd, request, sizeof request);
        int32_t length;
        read_fully(fd, &length, 4);
        read_fully(fd, frame, (size_t)length);
    }
    return NULL;
}

static double seconds(struct timeval value) { return (double)value.tv_sec + (double)value.tv_usec / 1e6; }

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s FRAMES SIZE\n", argv[0]);
        return 2;
    }
    frames = atoi(argv[1]);
    size = atoi(argv[2]);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 2) != 0
        || getsockname(listener, (struct sockaddr *)&address, &length) != 0) {
        perror("listen");
        return 1;
    }

    pid_t clients = fork();
    if (clients == 0) {
        pthread_t consuming, producing;
        pthread_create(&consuming, NULL, consumer, NULL);
        usleep(50000); // the consumer connects first, so the server knows which is which
        pthread_create(&producing, NULL, producer, NULL);
        pthread_join(producing, NULL);
        pthread_join(consuming, NULL);
        return 0;
    }
    int consumer_fd = accept(listener, NULL, NULL);
    int producer_fd = accept(listener, NULL, NULL);
    no_delay(consumer_fd);
    no_delay(producer_fd);

    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    int poller = epoll_create1(0);
    struct epoll_event interest = {.events = EPOLLIN, .data.fd = producer_fd};
    epoll_ctl(poller, EPOLL_CTL_ADD, producer_fd, &interest);
    interest.data.fd = consumer_fd;
    epoll_ctl(poller, EPOLL_CTL_ADD, consumer_fd, &interest);

    char **kept = malloc(sizeof(char *) * (size_t)frames);
    int received = 0, sent = 0, asked = 0;
    char small[8] = {0};
    while (sent < frames) {
        struct epoll_event ready[2];
        int count = epoll_wait(poller, ready, 2, -1);
        for (int i = 0; i < count; i++) {
            if (ready[i].data.fd == producer_fd) {
                int32_t frame_length;
                read_fully(producer_fd, &frame_length, 4);
                kept[received] = malloc((size_t)frame_length + 4);
                memcpy(kept[received], &frame_length, 4);
                read_fully(producer_fd, kept[received] + 4, (size_t)frame_length);
                received++;
                write_fully(producer_fd, small, sizeof small);
            } else {
                read_fully(consumer_fd, small, sizeof small);
                asked++;
            }
        }
        while (asked > 0 && sent < received) {
            write_fully(consumer_fd, kept[sent], (size_t)size + 4);
            sent++;
            asked--;
        }
    }
    getrusage(RUSAGE_SELF, &after);
    waitpid(clients, NULL, 0);

    double user = seconds(after.ru_utime) - seconds(before.ru_utime);
    double system = seconds(after.ru_stime) - seconds(before.ru_stime);
    printf("frames=%d size=%d server_cpu_s=%.3f user_s=%.3f system_s=%.3f us_per_frame=%.1f page_faults=%ld\n",
           frames, size, user + system, user, system, (user + system) / frames * 1e6, after.ru_minflt - before.ru_minflt);
    return 0;
}
