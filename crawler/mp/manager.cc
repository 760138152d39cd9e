#include "crawler/mp/manager.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

namespace crawler::mp {
namespace {

// Request types (the wire header's type byte).
enum Op : uint8_t {
  kDictSet = 1,
  kDictGet = 2,
  kDictErase = 3,
  kDictSize = 4,
  kDictItems = 5,
  kListAppend = 6,
  kListGet = 7,
  kListSet = 8,
  kListSize = 9,
  kListItems = 10,
  kStats = 11,
  kShutdown = 12,
};
// Reply: U64 code (0 = OK), Bytes message, Bytes body (a kBody message).
constexpr uint8_t kReply = 20;
constexpr uint8_t kBody = 21;

void SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

std::string Frame(std::string_view payload) {
  uint32_t len = static_cast<uint32_t>(payload.size());
  std::string out;
  out.reserve(4 + payload.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(len >> (8 * i)));
  out.append(payload);
  return out;
}

// Passes `fd` over the datagram socket `sock` (one byte + SCM_RIGHTS).
Status SendFd(int sock, int fd) {
  char byte = 'c';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  std::memset(control, 0, sizeof control);
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
    if (errno == EINTR) continue;
    if (errno == ECONNREFUSED || errno == EPIPE || errno == ECONNRESET) {
      return ClosedError("the manager process is gone");
    }
    return ErrnoError("register with the manager", errno);
  }
  return Status::Ok();
}

// The manager process: owns the data, serves every connection.
class Server {
 public:
  Server(int owner_fd, int register_fd, int64_t reply_timeout_ms)
      : register_fd_(register_fd), reply_timeout_ms_(reply_timeout_ms) {
    AddClient(owner_fd, /*owner=*/true);
    SetNonBlocking(register_fd_);
  }

  void Run() {
    std::vector<pollfd> fds;
    while (!stop_) {
      fds.clear();
      fds.push_back({register_fd_, POLLIN, 0});
      for (const Client& c : clients_) fds.push_back({c.fd, POLLIN, 0});
      int n = ::poll(fds.data(), fds.size(), -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[0].revents != 0) AcceptRegistrations();
      // clients_ may grow in AcceptRegistrations; only the polled ones are
      // looked at this round.
      for (size_t i = 1; i < fds.size() && !stop_; ++i) {
        if (fds[i].revents != 0) ServeClient(clients_[i - 1]);
      }
      for (size_t i = 0; i < clients_.size();) {
        if (clients_[i].fd < 0) {
          clients_.erase(clients_.begin() + i);
        } else {
          ++i;
        }
      }
    }
  }

 private:
  struct Client {
    int fd = -1;
    bool owner = false;
    std::string in;  // Bytes received and not yet handled.
  };

  void AddClient(int fd, bool owner) {
    SetNonBlocking(fd);
    clients_.push_back(Client{fd, owner, {}});
    ++stats_.clients_total;
  }

  void AcceptRegistrations() {
    while (true) {
      char byte;
      iovec iov{&byte, 1};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t r =
          ::recvmsg(register_fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
      if (r < 0) {
        if (errno == EINTR) continue;
        return;  // EAGAIN: drained.
      }
      if (r == 0) return;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
           c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
          int fd;
          std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
          AddClient(fd, /*owner=*/false);
        }
      }
    }
  }

  void Drop(Client& c, bool mid_request) {
    if (mid_request) ++stats_.clients_lost_mid_request;
    ::close(c.fd);
    c.fd = -1;
    // The owner's connection closes only when the owner is gone.
    if (c.owner) stop_ = true;
  }

  void ServeClient(Client& c) {
    char buf[64 * 1024];
    while (true) {
      ssize_t r = ::read(c.fd, buf, sizeof buf);
      if (r > 0) {
        c.in.append(buf, static_cast<size_t>(r));
        continue;
      }
      if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
        // EOF or reset: handle what arrived whole, discard the rest.
        HandleFrames(c);
        if (c.fd >= 0) Drop(c, !c.in.empty());
        return;
      }
      if (errno == EAGAIN) break;
    }
    HandleFrames(c);
  }

  void HandleFrames(Client& c) {
    size_t pos = 0;
    while (c.fd >= 0 && c.in.size() - pos >= 4) {
      const auto* h = reinterpret_cast<const unsigned char*>(c.in.data() + pos);
      size_t len = static_cast<size_t>(h[0]) | static_cast<size_t>(h[1]) << 8 |
                   static_cast<size_t>(h[2]) << 16 |
                   static_cast<size_t>(h[3]) << 24;
      if (len > kMaxFrameBytes) {
        Drop(c, true);  // Corrupt: nothing from this client can be trusted.
        return;
      }
      if (c.in.size() - pos - 4 < len) break;
      std::string reply = Handle(std::string_view(c.in).substr(pos + 4, len));
      pos += 4 + len;
      if (!Reply(c, reply)) {
        Drop(c, false);
        return;
      }
    }
    c.in.erase(0, pos);
  }

  bool Reply(Client& c, const std::string& payload) {
    std::string frame = Frame(payload);
    size_t done = 0;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(reply_timeout_ms_);
    while (done < frame.size()) {
      ssize_t n =
          ::send(c.fd, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) return false;
        pollfd p{c.fd, POLLOUT, 0};
        ::poll(&p, 1, static_cast<int>(left));
        continue;
      }
      return false;
    }
    return true;
  }

  // Applies one request and returns the reply payload.
  std::string Handle(std::string_view request) {
    Encoder body(kBody);
    Status s = Apply(request, body);
    Encoder reply(kReply);
    reply.U64(static_cast<uint64_t>(s.code())).Bytes(s.message());
    reply.Bytes(s.ok() ? body.data() : std::string());
    return reply.Take();
  }

  Status Apply(std::string_view request, Encoder& out) {
    Decoder d(request);
    ASSIGN_OR_RETURN(uint8_t op, d.AnyHeader());
    std::string name, key, value;
    uint64_t index = 0;
    switch (op) {
      case kDictSet:
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.Bytes(&key));
        RETURN_IF_ERROR(d.Bytes(&value));
        RETURN_IF_ERROR(d.Done());
        dicts_[name][key] = std::move(value);
        break;
      case kDictGet: {
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.Bytes(&key));
        RETURN_IF_ERROR(d.Done());
        auto dict = dicts_.find(name);
        if (dict == dicts_.end()) return NotFoundError("no key in " + name);
        auto it = dict->second.find(key);
        if (it == dict->second.end()) return NotFoundError("no key in " + name);
        out.Bytes(it->second);
        break;
      }
      case kDictErase: {
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.Bytes(&key));
        RETURN_IF_ERROR(d.Done());
        auto dict = dicts_.find(name);
        out.Bool(dict != dicts_.end() && dict->second.erase(key) > 0);
        break;
      }
      case kDictSize: {
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.Done());
        auto dict = dicts_.find(name);
        out.U64(dict == dicts_.end() ? 0 : dict->second.size());
        break;
      }
      case kDictItems: {
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.Done());
        auto dict = dicts_.find(name);
        if (dict == dicts_.end()) {
          out.U64(0);
          break;
        }
        out.U64(dict->second.size());
        for (const auto& [k, v] : dict->second) out.Bytes(k).Bytes(v);
        break;
      }
      case kListAppend: {
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.Bytes(&value));
        RETURN_IF_ERROR(d.Done());
        auto& list = lists_[name];
        list.push_back(std::move(value));
        out.U64(list.size() - 1);
        break;
      }
      case kListGet:
      case kListSet: {
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.U64(&index));
        if (op == kListSet) RETURN_IF_ERROR(d.Bytes(&value));
        RETURN_IF_ERROR(d.Done());
        auto& list = lists_[name];
        if (index >= list.size()) {
          return InvalidArgumentError(
              "index " + std::to_string(index) + " out of range for list " +
              name + " of size " + std::to_string(list.size()));
        }
        if (op == kListGet) {
          out.Bytes(list[index]);
        } else {
          list[index] = std::move(value);
        }
        break;
      }
      case kListSize: {
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.Done());
        auto list = lists_.find(name);
        out.U64(list == lists_.end() ? 0 : list->second.size());
        break;
      }
      case kListItems: {
        RETURN_IF_ERROR(d.Bytes(&name));
        RETURN_IF_ERROR(d.Done());
        auto list = lists_.find(name);
        if (list == lists_.end()) {
          out.U64(0);
          break;
        }
        out.U64(list->second.size());
        for (const auto& v : list->second) out.Bytes(v);
        break;
      }
      case kStats: {
        RETURN_IF_ERROR(d.Done());
        uint64_t open = 0;
        for (const Client& c : clients_) open += c.fd >= 0;
        out.U64(stats_.requests)
            .U64(open)
            .U64(stats_.clients_total)
            .U64(stats_.clients_lost_mid_request);
        break;
      }
      case kShutdown:
        RETURN_IF_ERROR(d.Done());
        stop_ = true;
        break;
      default:
        return DataLossError("unknown manager request type " +
                             std::to_string(op));
    }
    ++stats_.requests;
    return Status::Ok();
  }

  int register_fd_;
  int64_t reply_timeout_ms_;
  bool stop_ = false;
  std::vector<Client> clients_;
  ManagerStats stats_;
  std::map<std::string, std::map<std::string, std::string>> dicts_;
  std::map<std::string, std::vector<std::string>> lists_;
};

Status BadReply(const Status& s) { return s.WithContext("manager reply"); }

}  // namespace

Manager::Manager(ManagerOptions options, std::unique_ptr<Process> server,
                 Connection conn, int register_fd)
    : options_(std::move(options)),
      server_(std::move(server)),
      owner_pid_(::getpid()),
      conn_(std::move(conn)),
      conn_pid_(owner_pid_),
      register_fd_(register_fd) {}

StatusOr<std::unique_ptr<Manager>> Manager::Create(
    const ManagerOptions& options) {
  ASSIGN_OR_RETURN(auto owner_ends, Pipe());
  int reg[2];
  if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, reg) != 0) {
    return ErrnoError("socketpair", errno);
  }
  const int server_owner_fd = owner_ends.second.fd();
  const int client_owner_fd = owner_ends.first.fd();
  const int server_reg_fd = reg[0];
  const int client_reg_fd = reg[1];
  const int64_t reply_timeout = options.reply_timeout_ms;
  ProcessOptions popts;
  popts.name = options.name;
  popts.daemon = true;
  auto server = std::make_unique<Process>(
      [=]() {
        // Stopped by Shutdown() or its creator's death, not by a Ctrl-C sent
        // to the whole process group (as Python's manager).
        ::signal(SIGINT, SIG_IGN);
        ::close(client_owner_fd);
        ::close(client_reg_fd);
        Server(server_owner_fd, server_reg_fd, reply_timeout).Run();
        return 0;
      },
      popts);
  Status started = server->Start();
  owner_ends.second.Close();
  ::close(server_reg_fd);
  if (!started.ok()) {
    ::close(client_reg_fd);
    return started;
  }
  return std::unique_ptr<Manager>(new Manager(
      options, std::move(server), std::move(owner_ends.first), client_reg_fd));
}

Manager::~Manager() {
  if (::getpid() == owner_pid_) (void)Shutdown();
  conn_.Close();
  if (register_fd_ >= 0) ::close(register_fd_);
}

Status Manager::Shutdown() {
  if (::getpid() != owner_pid_) {
    return FailedPreconditionError(
        "only the process that created the manager may shut it down");
  }
  if (shut_down_) return Status::Ok();
  Encoder req(kShutdown);
  Status s = Status::Ok();
  if (conn_pid_ == owner_pid_ && conn_.is_open()) {
    s = Call(req.Take()).status();
  }
  shut_down_ = true;
  conn_.Close();  // The server also stops on EOF from the owner.
  if (!server_->Join(2000).ok()) {
    (void)server_->Kill();
    (void)server_->Join();
  }
  return s;
}

Status Manager::EnsureConnected() {
  const pid_t me = ::getpid();
  if (me == owner_pid_ && shut_down_) {
    return ClosedError("the manager was shut down");
  }
  if (conn_pid_ == me && conn_.is_open()) return Status::Ok();
  // An inherited copy of the parent's connection, or one dropped after an
  // error: never use it again.
  conn_.Close();
  ASSIGN_OR_RETURN(auto ends, Pipe());
  RETURN_IF_ERROR(SendFd(register_fd_, ends.second.fd()));
  conn_ = std::move(ends.first);
  conn_pid_ = me;
  return Status::Ok();
}

StatusOr<std::string> Manager::Call(const std::string& request) {
  RETURN_IF_ERROR(EnsureConnected());
  std::string reply;
  Status s = conn_.Send(request);
  if (s.ok()) s = conn_.Recv(&reply, options_.request_timeout_ms);
  if (!s.ok()) {
    conn_.Close();  // Never read a late reply as the next one's.
    if (s.code() == Code::kClosed || s.code() == Code::kDataLoss) {
      return ClosedError("the manager process is gone (" + s.message() + ")");
    }
    return s.WithContext("manager request");
  }
  Decoder d(reply);
  uint64_t code = 0;
  std::string message, body;
  Status decoded = d.Header(kReply);
  if (decoded.ok()) decoded = d.U64(&code);
  if (decoded.ok()) decoded = d.Bytes(&message);
  if (decoded.ok()) decoded = d.Bytes(&body);
  if (decoded.ok()) decoded = d.Done();
  if (!decoded.ok()) {
    conn_.Close();
    return BadReply(decoded);
  }
  if (code != 0) {
    if (code > static_cast<uint64_t>(Code::kInternal)) {
      return InternalError("manager: " + message);
    }
    Code c = static_cast<Code>(code);
    if (c == Code::kInvalidArgument) return InvalidArgumentError(message);
    return Status(c, message);
  }
  return body;
}

namespace {

// Opens a reply body for reading.
Status OpenBody(Decoder& d) { return d.Header(kBody); }

}  // namespace

Status Manager::DictSet(std::string_view dict, std::string_view key,
                        std::string_view value) {
  Encoder req(kDictSet);
  req.Bytes(dict).Bytes(key).Bytes(value);
  return Call(req.Take()).status();
}

StatusOr<std::string> Manager::DictGet(std::string_view dict,
                                       std::string_view key) {
  Encoder req(kDictGet);
  req.Bytes(dict).Bytes(key);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  std::string value;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.Bytes(&value));
  return value;
}

StatusOr<bool> Manager::DictErase(std::string_view dict, std::string_view key) {
  Encoder req(kDictErase);
  req.Bytes(dict).Bytes(key);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  bool erased = false;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.Bool(&erased));
  return erased;
}

StatusOr<size_t> Manager::DictSize(std::string_view dict) {
  Encoder req(kDictSize);
  req.Bytes(dict);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  uint64_t n = 0;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.U64(&n));
  return static_cast<size_t>(n);
}

StatusOr<std::vector<std::pair<std::string, std::string>>> Manager::DictItems(
    std::string_view dict) {
  Encoder req(kDictItems);
  req.Bytes(dict);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  uint64_t n = 0;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.U64(&n));
  std::vector<std::pair<std::string, std::string>> items;
  for (uint64_t i = 0; i < n; ++i) {
    std::pair<std::string, std::string> kv;
    RETURN_IF_ERROR(d.Bytes(&kv.first));
    RETURN_IF_ERROR(d.Bytes(&kv.second));
    items.push_back(std::move(kv));
  }
  return items;
}

StatusOr<size_t> Manager::ListAppend(std::string_view list,
                                     std::string_view value) {
  Encoder req(kListAppend);
  req.Bytes(list).Bytes(value);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  uint64_t index = 0;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.U64(&index));
  return static_cast<size_t>(index);
}

StatusOr<std::string> Manager::ListGet(std::string_view list, size_t index) {
  Encoder req(kListGet);
  req.Bytes(list).U64(index);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  std::string value;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.Bytes(&value));
  return value;
}

Status Manager::ListSet(std::string_view list, size_t index,
                        std::string_view value) {
  Encoder req(kListSet);
  req.Bytes(list).U64(index).Bytes(value);
  return Call(req.Take()).status();
}

StatusOr<size_t> Manager::ListSize(std::string_view list) {
  Encoder req(kListSize);
  req.Bytes(list);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  uint64_t n = 0;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.U64(&n));
  return static_cast<size_t>(n);
}

StatusOr<std::vector<std::string>> Manager::ListItems(std::string_view list) {
  Encoder req(kListItems);
  req.Bytes(list);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  uint64_t n = 0;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.U64(&n));
  std::vector<std::string> items;
  for (uint64_t i = 0; i < n; ++i) {
    std::string v;
    RETURN_IF_ERROR(d.Bytes(&v));
    items.push_back(std::move(v));
  }
  return items;
}

StatusOr<ManagerStats> Manager::Stats() {
  Encoder req(kStats);
  ASSIGN_OR_RETURN(std::string body, Call(req.Take()));
  Decoder d(body);
  ManagerStats s;
  RETURN_IF_ERROR(OpenBody(d));
  RETURN_IF_ERROR(d.U64(&s.requests));
  RETURN_IF_ERROR(d.U64(&s.clients_connected));
  RETURN_IF_ERROR(d.U64(&s.clients_total));
  RETURN_IF_ERROR(d.U64(&s.clients_lost_mid_request));
  return s;
}

Status Manager::SendPartialRequestForTesting(std::string_view dict,
                                             std::string_view key,
                                             std::string_view value) {
  RETURN_IF_ERROR(EnsureConnected());
  Encoder req(kDictSet);
  req.Bytes(dict).Bytes(key).Bytes(value);
  std::string frame = Frame(req.data());
  size_t half = frame.size() / 2;
  size_t done = 0;
  while (done < half) {
    ssize_t n =
        ::send(conn_.fd(), frame.data() + done, half - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("send", errno);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace crawler::mp
