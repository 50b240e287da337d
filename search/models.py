"""The DB search backend's index: one denormalised row per product (SearchEntry), its
multi-valued facets (SearchFacet) and the Latin/pinyin vocabulary for typo correction
(SearchWord). SQLite adds an FTS5 table and PostgreSQL a tsvector column in migrations."""

from django.db import models


class SearchEntry(models.Model):
    product = models.OneToOneField("catalogue.Product", on_delete=models.CASCADE,
                                   primary_key=True, related_name="+")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=255)
    category_path = models.CharField(max_length=255, blank=True)
    cooperative_id = models.IntegerField(null=True)
    cooperative = models.CharField(max_length=128, blank=True)
    certifications = models.CharField(max_length=255, blank=True)  # space-separated kinds
    county_code = models.CharField(max_length=12, blank=True)
    town_code = models.CharField(max_length=12, blank=True)
    county = models.CharField(max_length=64, blank=True)
    town = models.CharField(max_length=64, blank=True)
    village = models.CharField(max_length=64, blank=True)
    storage = models.CharField(max_length=64, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    in_stock = models.BooleanField(default=False)
    sales = models.IntegerField(default=0)
    live_now = models.BooleanField(default=False)
    date_created = models.DateTimeField()
    # Space-separated words (jieba segments, single Han characters, lower-case Latin).
    title_terms = models.TextField(blank=True)
    terms = models.TextField(blank=True)  # category path, cooperative, region, storage
    description_terms = models.TextField(blank=True)
    pinyin = models.TextField(blank=True)  # whole title's pinyin, then each word's
    initials = models.TextField(blank=True)  # whole title's initials, then each word's
    # " word word …": what suggest matches by prefix (title, its words, pinyin, initials).
    suggest_text = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["-sales", "product"], name="search_entry_sales"),
                   models.Index(fields=["county_code"], name="search_entry_county"),
                   models.Index(fields=["town_code"], name="search_entry_town"),
                   models.Index(fields=["cooperative_id"], name="search_entry_coop")]

    def __str__(self):
        return self.title


class SearchFacet(models.Model):
    """A multi-valued facet of an entry: each category with its ancestors, each valid
    certification (grouped and counted with one GROUP BY per facet)."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facets")
    name = models.CharField(max_length=16)
    value = models.CharField(max_length=64)
    label = models.CharField(max_length=128, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "name", "value"],
                                               name="search_facet_unique")]
        indexes = [models.Index(fields=["name", "value"], name="search_facet_value")]

    def __str__(self):
        return f"{self.name}={self.value}"


class SearchWord(models.Model):
    """A Latin or pinyin word that is in the index: typo correction looks up the query word's
    one-edit neighbours here. Rebuild starts it afresh; words of deleted products stay until."""

    word = models.CharField(max_length=64, primary_key=True)

    def __str__(self):
        return self.word
