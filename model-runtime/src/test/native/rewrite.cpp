// rewrite IN OUT: copies one CUDA source file for the CPU emulator (emu.h), translating the three constructs that C++
// cannot express through macros and nothing else:
//   k<<<grid, block[, smem[, stream]]>>>(args)   ->  k << EMU_LAUNCH("k", grid, block[, smem[, stream]])(args)
//   asm [volatile] ("tmpl" : "=r"(a), ... : "r"(b), ... [: clobbers]);
//                                               ->  ::emu::ptx("tmpl", {::emu::ptx_out("=r", a), ...},
//                                                                      {::emu::ptx_in("r", b), ...});
//   __shared__ [__align__(n)] T name[dims];      ->  auto& name = ::emu::shared_var<T[dims], n>([] {});
//   extern __shared__ [__align__(n)] T name[];   ->  T* const name = ::emu::dynamic_shared<T>();
// Comments, string and character literals are left alone. Every replacement keeps the line count, and the output
// starts with a #line directive naming IN, so compiler messages and __FILE__/__LINE__ point at the real source.
// Exits with status 1 and a message on a construct it cannot translate.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string g_path;
std::string src;
std::vector<bool> code;  // false inside comments and literals

[[noreturn]] void die(size_t at, const std::string& msg) {
    const long line = 1 + std::count(src.begin(), src.begin() + static_cast<long>(at), '\n');
    std::cerr << g_path << ":" << line << ": rewrite: " << msg << "\n";
    std::exit(1);
}

void classify() {
    code.assign(src.size(), true);
    size_t i = 0;
    while (i < src.size()) {
        const char c = src[i];
        size_t end = i;
        if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
            end = src.find('\n', i);
            end = end == std::string::npos ? src.size() : end;
        } else if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
            end = src.find("*/", i + 2);
            end = end == std::string::npos ? src.size() : end + 2;
        } else if (c == 'R' && i + 1 < src.size() && src[i + 1] == '"' && (i == 0 || !isalnum(src[i - 1]))) {
            const size_t open = src.find('(', i);
            const std::string close = ")" + src.substr(i + 2, open - i - 2) + "\"";
            end = src.find(close, open);
            end = end == std::string::npos ? src.size() : end + close.size();
        } else if (c == '"' || (c == '\'' && (i == 0 || !isxdigit(src[i - 1])))) {  // not a digit separator
            end = i + 1;
            while (end < src.size() && src[end] != c) {
                end += src[end] == '\\' ? 2 : 1;
            }
            end = std::min(end + 1, src.size());
        }
        if (end == i) {
            ++i;
            continue;
        }
        for (size_t k = i; k < end; ++k) {
            code[k] = false;
        }
        i = end;
    }
}

bool ident_char(char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Position of the next code occurrence of `word` (a whole identifier, or a token when it is not one) at or after from.
size_t find_code(const std::string& word, size_t from) {
    const bool is_ident = ident_char(word[0]);
    for (size_t p = src.find(word, from); p != std::string::npos; p = src.find(word, p + 1)) {
        if (!code[p]) {
            continue;
        }
        if (is_ident && ((p > 0 && ident_char(src[p - 1])) ||
                         (p + word.size() < src.size() && ident_char(src[p + word.size()])))) {
            continue;
        }
        return p;
    }
    return std::string::npos;
}

size_t skip_space(size_t p) {
    while (p < src.size() && isspace(static_cast<unsigned char>(src[p]))) {
        ++p;
    }
    return p;
}

// The position just after the bracket that closes the one at `open` ( "(" "[" "{" ).
size_t match(size_t open) {
    int depth = 0;
    for (size_t p = open; p < src.size(); ++p) {
        if (!code[p]) {
            continue;
        }
        if (src[p] == '(' || src[p] == '[' || src[p] == '{') {
            ++depth;
        } else if (src[p] == ')' || src[p] == ']' || src[p] == '}') {
            if (--depth == 0) {
                return p + 1;
            }
        }
    }
    die(open, "unbalanced brackets");
}

// Splits [b, e) at code occurrences of `sep` outside brackets ("::" is never a ':' separator).
std::vector<std::pair<size_t, size_t>> split(size_t b, size_t e, char sep) {
    std::vector<std::pair<size_t, size_t>> parts;
    int depth = 0;
    size_t start = b;
    for (size_t p = b; p < e; ++p) {
        if (!code[p]) {
            continue;
        }
        const char c = src[p];
        if (c == '(' || c == '[' || c == '{') {
            ++depth;
        } else if (c == ')' || c == ']' || c == '}') {
            --depth;
        } else if (c == sep && depth == 0) {
            if (sep == ':' && ((p + 1 < e && src[p + 1] == ':') || (p > b && src[p - 1] == ':'))) {
                continue;
            }
            parts.push_back({start, p});
            start = p + 1;
        }
    }
    parts.push_back({start, e});
    return parts;
}

std::string trim(const std::string& s) {
    size_t b = 0;
    size_t e = s.size();
    while (b < e && isspace(static_cast<unsigned char>(s[b]))) {
        ++b;
    }
    while (e > b && isspace(static_cast<unsigned char>(s[e - 1]))) {
        --e;
    }
    return s.substr(b, e - b);
}

std::string newlines_of(size_t b, size_t e) {
    return std::string(static_cast<size_t>(std::count(src.begin() + static_cast<long>(b),
                                                       src.begin() + static_cast<long>(e), '\n')),
                       '\n');
}

struct Edit {
    size_t begin;
    size_t end;
    std::string text;
};
std::vector<Edit> edits;

void launches() {
    for (size_t p = find_code("<<<", 0); p != std::string::npos; p = find_code("<<<", p + 3)) {
        // the kernel's name: an identifier, maybe with template arguments, just before <<<
        size_t n = p;
        while (n > 0 && isspace(static_cast<unsigned char>(src[n - 1]))) {
            --n;
        }
        size_t name_end = n;
        if (n > 0 && src[n - 1] == '>') {
            int depth = 0;
            do {
                --n;
                depth += src[n] == '>' ? 1 : src[n] == '<' ? -1 : 0;
            } while (n > 0 && depth > 0);
        }
        while (n > 0 && (ident_char(src[n - 1]) || src[n - 1] == ':')) {
            --n;
        }
        std::string name = src.substr(n, name_end - n);
        std::string flat;
        for (char c : name) {
            flat += c == '\n' ? ' ' : (c == '"' ? '\'' : c);
        }
        const size_t close = find_code(">>>", p + 3);
        if (close == std::string::npos) {
            die(p, "launch without >>>");
        }
        edits.push_back({p, p + 3, " << EMU_LAUNCH(\"" + flat + "\", "});
        edits.push_back({close, close + 3, ")"});
    }
}

void asm_statements() {
    for (const char* kw : {"asm", "__asm__"}) {
        for (size_t p = find_code(kw, 0); p != std::string::npos; p = find_code(kw, p + 1)) {
            size_t q = skip_space(p + std::string(kw).size());
            for (const char* qual : {"volatile", "__volatile__"}) {
                const std::string w(qual);
                if (src.compare(q, w.size(), w) == 0 && !ident_char(src[q + w.size()])) {
                    q = skip_space(q + w.size());
                }
            }
            if (src[q] != '(') {
                die(p, "asm without '('");
            }
            const size_t end = match(q);
            const auto sections = split(q + 1, end - 1, ':');
            const auto text = [](std::pair<size_t, size_t> r) { return trim(src.substr(r.first, r.second - r.first)); };
            std::string out = "::emu::ptx(" + text(sections[0]);
            for (size_t s = 1; s <= 2; ++s) {
                out += ", {";
                if (s < sections.size() && !text(sections[s]).empty()) {
                    const auto ops = split(sections[s].first, sections[s].second, ',');
                    for (size_t k = 0; k < ops.size(); ++k) {
                        const std::string op = text(ops[k]);
                        const size_t cq = op.find('"', 1);
                        if (op.empty() || op[0] != '"' || cq == std::string::npos) {
                            die(p, "asm operand '" + op + "' is not \"constraint\"(expression)");
                        }
                        const std::string constraint = op.substr(0, cq + 1);
                        const std::string expr = trim(op.substr(cq + 1));
                        if (expr.size() < 2 || expr.front() != '(' || expr.back() != ')') {
                            die(p, "asm operand '" + op + "' is not \"constraint\"(expression)");
                        }
                        out += (k ? ", " : "") + std::string(s == 1 ? "::emu::ptx_out(" : "::emu::ptx_in(") +
                               constraint + ", " + expr.substr(1, expr.size() - 2) + ")";
                    }
                }
                out += "}";
            }
            out += ")" + newlines_of(p, end);
            edits.push_back({p, end, out});
        }
    }
}

void shared_declarations() {
    for (size_t p = find_code("__shared__", 0); p != std::string::npos; p = find_code("__shared__", p + 1)) {
        size_t begin = p;
        bool dynamic = false;
        size_t b = p;
        while (b > 0 && isspace(static_cast<unsigned char>(src[b - 1]))) {
            --b;
        }
        if (b >= 6 && src.compare(b - 6, 6, "extern") == 0 && (b == 6 || !ident_char(src[b - 7]))) {
            dynamic = true;
            begin = b - 6;
        }
        const size_t semi = src.find(';', p);
        if (semi == std::string::npos) {
            die(p, "__shared__ declaration without ';'");
        }
        std::string decl = src.substr(p + 10, semi - p - 10);
        std::string align = "0";
        const size_t a = decl.find("__align__");
        if (a != std::string::npos) {
            const size_t open = decl.find('(', a);
            const size_t close = decl.find(')', open);
            align = trim(decl.substr(open + 1, close - open - 1));
            decl.erase(a, close + 1 - a);
        }
        decl = trim(decl);
        if (decl.find(',') != std::string::npos && decl.find('[') == std::string::npos) {
            die(p, "one __shared__ declaration per statement, please");
        }
        // trailing [dims], then the name
        size_t e = decl.size();
        while (e > 0 && decl[e - 1] == ']') {
            int depth = 0;
            do {
                --e;
                depth += decl[e] == ']' ? 1 : decl[e] == '[' ? -1 : 0;
            } while (e > 0 && depth > 0);
            while (e > 0 && isspace(static_cast<unsigned char>(decl[e - 1]))) {
                --e;
            }
        }
        const std::string dims = trim(decl.substr(e));
        size_t n = e;
        while (n > 0 && ident_char(decl[n - 1])) {
            --n;
        }
        const std::string name = decl.substr(n, e - n);
        const std::string type = trim(decl.substr(0, n));
        if (name.empty() || type.empty() || decl.find('=') != std::string::npos) {
            die(p, "cannot read the __shared__ declaration '" + decl + "'");
        }
        std::string out;
        if (dynamic) {
            if (dims != "[]") {
                die(p, "extern __shared__ must be an array of unknown size");
            }
            out = type + "* const " + name + " = ::emu::dynamic_shared<" + type + ">()";
        } else {
            out = "auto& " + name + " = ::emu::shared_var<" + type + " " + dims + ", " + align + ">([] {})";
        }
        edits.push_back({begin, semi, out + newlines_of(begin, semi)});
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: rewrite IN OUT\n";
        return 2;
    }
    g_path = argv[1];
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "rewrite: cannot read " << argv[1] << "\n";
        return 1;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    src = ss.str();
    classify();
    launches();
    asm_statements();
    shared_declarations();
    std::sort(edits.begin(), edits.end(), [](const Edit& x, const Edit& y) { return x.begin < y.begin; });
    std::string out = "#line 1 \"" + g_path + "\"\n";
    size_t at = 0;
    for (const Edit& e : edits) {
        if (e.begin < at) {
            die(e.begin, "overlapping constructs");
        }
        out += src.substr(at, e.begin - at) + e.text;
        at = e.end;
    }
    out += src.substr(at);
    std::ofstream o(argv[2], std::ios::binary);
    o << out;
    return o ? 0 : 1;
}
