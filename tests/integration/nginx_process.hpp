#pragma once
// Debian's nginx in front of test processes, with the repository's deploy/nginx files as they are.
// Its listening socket is bound first, on port 0, so that the processes behind it can be given its
// URL before it starts: nginx takes the socket over through its NGINX variable (how it hands
// sockets to a new binary on upgrade), so no port is picked and then hoped to stay free.
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace va::test {

class NginxListener {
public:
    NginxListener();  // 127.0.0.1, a port the kernel picks
    ~NginxListener();
    NginxListener(const NginxListener&) = delete;
    NginxListener& operator=(const NginxListener&) = delete;
    unsigned short port() const { return port_; }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    unsigned short port_ = 0;
};

class NginxProcess {
public:
    // Serves `listener` with deploy/nginx/voiceagent-locations.conf, the upstream voiceagent_web
    // being `web_ports` on 127.0.0.1. Throws when nginx is not installed or refuses the config.
    NginxProcess(const TempDir& dir, const NginxListener& listener, const std::vector<unsigned short>& web_ports);
    std::string error_log() const;  // for failure messages

private:
    std::string log_path_;
    std::unique_ptr<Process> process_;
};

}  // namespace va::test
