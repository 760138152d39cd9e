// Tutorial idea 5: a parent and a child talking both ways over a Pipe.
//
// Python:
//   parent_conn, child_conn = Pipe()
//   p = Process(target=f, args=(child_conn,)); p.start()
//   parent_conn.send('ping'); print(parent_conn.recv()); p.join()
//
// Pipe() gives two duplex Connections. Each process closes the end it does
// not use, so that closing the other end is seen as end of stream (Closed).
// Frames are bytes; the child here only answers, the parent prints both
// sides (so the output order is fixed).
#include <cctype>
#include <cstdio>
#include <string>

#include "crawler/mp/pipe.h"
#include "crawler/mp/process.h"

int main() {
  using crawler::Status;
  auto ends = crawler::mp::Pipe();
  if (!ends.ok()) {
    std::fprintf(stderr, "pipe: %s\n", ends.status().ToString().c_str());
    return 1;
  }
  crawler::mp::Connection& parent_conn = ends->first;
  crawler::mp::Connection& child_conn = ends->second;
  crawler::mp::Process child([&] {
    parent_conn.Close();  // The child's copy of the parent's end.
    if (!child_conn.Send("hello from the child").ok()) return 1;
    std::string request;
    int answered = 0;
    // Serve until the parent closes its end.
    while (child_conn.Recv(&request).ok()) {
      std::string reply = request;
      for (char& c : reply) c = static_cast<char>(std::toupper(c));
      if (!child_conn.Send(reply).ok()) return 1;
      ++answered;
    }
    return answered;  // Exit code: how many requests it answered.
  });
  if (Status s = child.Start(); !s.ok()) {
    std::fprintf(stderr, "start: %s\n", s.ToString().c_str());
    return 1;
  }
  child_conn.Close();  // The parent's copy of the child's end.
  std::string m;
  if (Status s = parent_conn.Recv(&m, 10000); !s.ok()) {
    std::fprintf(stderr, "recv: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("parent got: %s\n", m.c_str());
  for (const char* word : {"ping", "duplex", "pipe"}) {
    if (Status s = parent_conn.Send(word); !s.ok()) {
      std::fprintf(stderr, "send: %s\n", s.ToString().c_str());
      return 1;
    }
    if (Status s = parent_conn.Recv(&m, 10000); !s.ok()) {
      std::fprintf(stderr, "recv: %s\n", s.ToString().c_str());
      return 1;
    }
    std::printf("parent sent: %s, child answered: %s\n", word, m.c_str());
  }
  parent_conn.Close();  // The child's Recv now reports Closed.
  if (Status s = child.Join(10000); !s.ok()) {
    std::fprintf(stderr, "join: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("child %s\n", child.ExitDescription().c_str());
  return 0;
}
