#include "nginx_process.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace va::test {

namespace {
std::string from_env(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value ? value : fallback;
}
}  // namespace

NginxListener::NginxListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 511) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("cannot listen on 127.0.0.1:0");
    }
    port_ = ntohs(address.sin_port);
}

NginxListener::~NginxListener() {
    if (fd_ >= 0) ::close(fd_);
}

NginxProcess::NginxProcess(const TempDir& dir, const NginxListener& listener, const std::vector<unsigned short>& web_ports)
    : log_path_(dir.file("nginx-error.log")) {
    const std::string deploy = VA_DEPLOY_DIR "/nginx/";  // the repository's, as shipped
    std::ostringstream upstream;
    for (auto port : web_ports) upstream << "        server 127.0.0.1:" << port << " max_fails=1 fail_timeout=10s;\n";
    // A master and one worker (nginx 1.22 without a master crashes on an inherited socket); the
    // temporary paths are the test's (the master, as root, lets its worker's user write them).
    std::ofstream(dir.file("nginx.conf")) << "daemon off;\nworker_processes 1;\npid " << dir.file("nginx.pid")
                                          << ";\nerror_log " << log_path_ << " notice;\n"
                                          << "events { worker_connections 1024; }\n"
                                          << "http {\n    access_log off;\n"
                                          << "    client_body_temp_path " << dir.file("nginx-body") << ";\n"
                                          << "    proxy_temp_path " << dir.file("nginx-proxy") << ";\n"
                                          << "    fastcgi_temp_path " << dir.file("nginx-fastcgi") << ";\n"
                                          << "    uwsgi_temp_path " << dir.file("nginx-uwsgi") << ";\n"
                                          << "    scgi_temp_path " << dir.file("nginx-scgi") << ";\n"
                                          << "    include " << deploy << "voiceagent-http.conf;\n"
                                          << "    upstream voiceagent_web {\n" << upstream.str()
                                          << "        keepalive 16;\n    }\n"
                                          << "    server {\n        listen 127.0.0.1:" << listener.port() << ";\n"
                                          << "        include " << deploy << "voiceagent-locations.conf;\n    }\n}\n";
    const auto nginx = from_env("VA_NGINX", "/usr/sbin/nginx");
    // -t first: a config nginx refuses fails here with its reason, not as requests that time out.
    Process check(nginx, {"-t", "-q", "-p", dir.path().string(), "-c", dir.file("nginx.conf"), "-e", log_path_});
    if (check.wait() != 0) throw std::runtime_error("nginx -t: " + check.read_all_stderr() + error_log());
    process_ = std::make_unique<Process>(nginx, std::vector<std::string>{"-p", dir.path().string(), "-c", dir.file("nginx.conf"), "-e", log_path_},
                                         std::vector<std::string>{"NGINX=" + std::to_string(listener.fd()) + ";"},
                                         std::vector<int>{listener.fd()});
}

std::string NginxProcess::error_log() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace va::test
