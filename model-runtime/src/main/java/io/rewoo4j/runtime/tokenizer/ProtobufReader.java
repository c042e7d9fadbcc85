package io.rewoo4j.runtime.tokenizer;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/**
 * A minimal reader of the protobuf wire format: just enough to walk a SentencePiece {@code ModelProto}.
 * Every failure names the source and the message path being read (e.g. {@code pieces[12].score}).
 */
final class ProtobufReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int START_GROUP = 3;
    static final int END_GROUP = 4;
    static final int FIXED32 = 5;

    private final byte[] buffer;
    private final String source;
    private final String path;
    private int position;
    private final int limit;
    private int tag;

    ProtobufReader(byte[] buffer, String source) {
        this(buffer, 0, buffer.length, source, "");
    }

    private ProtobufReader(byte[] buffer, int offset, int limit, String source, String path) {
        this.buffer = buffer;
        this.position = offset;
        this.limit = limit;
        this.source = source;
        this.path = path;
    }

    /** Advances to the next field; false at the end of this message. */
    boolean next() {
        if (position >= limit) {
            return false;
        }
        long key = readVarint("(field key)");
        if (key >>> 32 != 0 || (key >>> 3) == 0) {
            throw error("(field key)", "invalid field key " + key + " at byte " + position);
        }
        tag = (int) key;
        if (wireType() > FIXED32) {
            throw error("(field " + fieldNumber() + ")", "invalid wire type " + wireType());
        }
        return true;
    }

    int fieldNumber() {
        return tag >>> 3;
    }

    int wireType() {
        return tag & 7;
    }

    long readVarint(String field) {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (position >= limit) {
                throw error(field, "truncated varint");
            }
            byte b = buffer[position++];
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw error(field, "malformed varint (more than 10 bytes)");
    }

    int readInt32(String field) {
        expect(VARINT, field);
        return (int) readVarint(field);
    }

    boolean readBool(String field) {
        expect(VARINT, field);
        return readVarint(field) != 0;
    }

    float readFloat(String field) {
        expect(FIXED32, field);
        if (limit - position < 4) {
            throw error(field, "truncated float");
        }
        int bits = (buffer[position] & 0xFF) | (buffer[position + 1] & 0xFF) << 8
                | (buffer[position + 2] & 0xFF) << 16 | (buffer[position + 3] & 0xFF) << 24;
        position += 4;
        return Float.intBitsToFloat(bits);
    }

    String readString(String field) {
        int length = readLength(field);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buffer, position, length))
                    .toString();
            position += length;
            return s;
        } catch (CharacterCodingException e) {
            throw error(field, "string is not valid UTF-8");
        }
    }

    /** Length of a length-delimited field's payload, without consuming it. */
    int readBytesLength(String field) {
        int length = readLength(field);
        position += length;
        return length;
    }

    ProtobufReader readMessage(String field) {
        int length = readLength(field);
        ProtobufReader nested = new ProtobufReader(buffer, position, position + length, source, field);
        position += length;
        return nested;
    }

    void skip() {
        String field = "(field " + fieldNumber() + ")";
        switch (wireType()) {
            case VARINT -> readVarint(field);
            case FIXED64 -> advance(8, field);
            case LENGTH_DELIMITED -> advance(readLength(field), field);
            case FIXED32 -> advance(4, field);
            default -> throw error(field, "unsupported wire type " + wireType() + " (groups)");
        }
    }

    TokenizerFormatException error(String field, String problem) {
        String qualified = path.isEmpty() ? field : field.startsWith("(") ? path + " " + field : field;
        return new TokenizerFormatException(source, qualified, problem);
    }

    private int readLength(String field) {
        expect(LENGTH_DELIMITED, field);
        long length = readVarint(field);
        if (length < 0 || length > limit - position) {
            throw error(field, "truncated: length " + length + " exceeds the " + (limit - position)
                    + " bytes left");
        }
        return (int) length;
    }

    private void advance(int n, String field) {
        if (n > limit - position) {
            throw error(field, "truncated");
        }
        position += n;
    }

    private void expect(int wireType, String field) {
        if (wireType() != wireType) {
            throw error(field, "wire type " + wireType() + ", expected " + wireType);
        }
    }
}
