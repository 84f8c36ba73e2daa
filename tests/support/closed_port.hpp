#pragma once
// A loopback port where nothing listens: bound to port 0, read, closed. For tests of a server
// that is not there (yet).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace va::test {

inline unsigned short closed_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
    close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace va::test
