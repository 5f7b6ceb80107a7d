// A thumbnail of every picture put into the photos bucket: a PNG or JPEG written into
// buckets/photos/ gets a copy at most 128 pixels on its long side, in the same format and
// under the same key, in buckets/photos-thumbnails/. Anything else is skipped with a log
// line. Only photos triggers the function, so the thumbnails it writes never invoke it
// again (no recursive loop).
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io/fs"
	"log"
	"net/url"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"
)

// thumbnailBucket is where the thumbnails go ([permissions] lets the function write there).
const thumbnailBucket = "photos-thumbnails"

// maxSidePx is the longest side of a thumbnail.
const maxSidePx = 128

// The parts of an S3 notification this function reads (aws-lambda-go's events.S3Event
// has them all; lambdesk's Go functions declare the fields they use).
type S3Event struct {
	Records []struct {
		S3 struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				// Form-URL-encoded as S3 writes it: "my cat.png" arrives as "my+cat.png".
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
}

type Thumbnail struct {
	Key    string `json:"key"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type Response struct {
	Thumbnails []Thumbnail `json:"thumbnails"`
}

// objectPath is a bucket's object as the function sees it: buckets are at /buckets.
func objectPath(bucket, key string) string {
	return filepath.Join("/buckets", bucket, filepath.FromSlash(key))
}

// fit scales width x height to at most maxSidePx on the long side, keeping the ratio.
func fit(width, height int) (int, int) {
	if width <= maxSidePx && height <= maxSidePx {
		return width, height
	}
	// Rounded to the nearest pixel: 300x900 is 43x128.
	if width >= height {
		return maxSidePx, max(1, (height*maxSidePx+width/2)/width)
	}
	return max(1, (width*maxSidePx+height/2)/height), maxSidePx
}

// shrink averages each thumbnail pixel's box of source pixels (area sampling: no
// aliasing when a picture shrinks many times over).
func shrink(source image.Image, width, height int) *image.NRGBA {
	bounds := source.Bounds()
	pixels := image.NewNRGBA(image.Rect(0, 0, bounds.Dx(), bounds.Dy()))
	draw.Draw(pixels, pixels.Bounds(), source, bounds.Min, draw.Src)
	out := image.NewNRGBA(image.Rect(0, 0, width, height))
	for y := 0; y < height; y++ {
		top, bottom := y*bounds.Dy()/height, max((y+1)*bounds.Dy()/height, y*bounds.Dy()/height+1)
		for x := 0; x < width; x++ {
			left, right := x*bounds.Dx()/width, max((x+1)*bounds.Dx()/width, x*bounds.Dx()/width+1)
			var sum [4]int
			for sy := top; sy < bottom; sy++ {
				row := pixels.Pix[sy*pixels.Stride:]
				for sx := left; sx < right; sx++ {
					for channel := 0; channel < 4; channel++ {
						sum[channel] += int(row[sx*4+channel])
					}
				}
			}
			count := (bottom - top) * (right - left)
			at := out.PixOffset(x, y)
			for channel := 0; channel < 4; channel++ {
				out.Pix[at+channel] = uint8(sum[channel] / count)
			}
		}
	}
	return out
}

func thumbnailOf(bucket, key string) (*Thumbnail, error) {
	data, err := os.ReadFile(objectPath(bucket, key))
	if errors.Is(err, fs.ErrNotExist) {
		// The Test tab's sample event names a picture that may not be there yet.
		log.Printf("skipping %s: not in bucket %s (put a picture there first)", key, bucket)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// The content says what the object is, not its name.
	picture, format, err := image.Decode(bytes.NewReader(data))
	if err != nil || (format != "jpeg" && format != "png") {
		log.Printf("skipping %s: not a PNG or JPEG", key)
		return nil, nil
	}
	width, height := fit(picture.Bounds().Dx(), picture.Bounds().Dy())
	small := shrink(picture, width, height)
	var encoded bytes.Buffer
	if format == "jpeg" {
		err = jpeg.Encode(&encoded, small, &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(&encoded, small)
	}
	if err != nil {
		return nil, err
	}
	target := objectPath(thumbnailBucket, key)
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(target, encoded.Bytes(), 0o644); err != nil {
		return nil, err
	}
	log.Printf("%s: %dx%d -> %dx%d", key, picture.Bounds().Dx(), picture.Bounds().Dy(), width, height)
	return &Thumbnail{Key: key, Width: width, Height: height}, nil
}

func handler(ctx context.Context, event S3Event) (Response, error) {
	response := Response{Thumbnails: []Thumbnail{}}
	for _, record := range event.Records {
		key, err := url.QueryUnescape(record.S3.Object.Key)
		if err != nil {
			return response, fmt.Errorf("the key %q is not URL-encoded: %w", record.S3.Object.Key, err)
		}
		if record.S3.Bucket.Name == thumbnailBucket {
			log.Printf("skipping %s: it is a thumbnail already", key)
			continue
		}
		thumbnail, err := thumbnailOf(record.S3.Bucket.Name, key)
		if err != nil {
			return response, err
		}
		if thumbnail != nil {
			response.Thumbnails = append(response.Thumbnails, *thumbnail)
		}
	}
	return response, nil
}

func main() {
	// Code here is Lambda's Init: it runs once per execution environment.
	lambda.Start(handler)
}
